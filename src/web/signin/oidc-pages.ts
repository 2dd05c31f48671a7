/**
 * Pages of the OpenID Connect flows: consent, "not assigned", device code entry and confirmation,
 * sign-out, and protocol errors. Server-rendered like the sign-in pages.
 */
import { Html, html } from './html.ts';
import { alert, csrfField, page } from './layout.ts';

export interface ScopeLine {
  readonly name: string;
  readonly description: string;
}

export function consentPage(model: { orgName: string; clientName: string; csrf: string; action: string; scopes: readonly ScopeLine[] }): string {
  return page({
    title: `Allow ${model.clientName}?`,
    orgName: model.orgName,
    body: html`<h1>${model.clientName} would like to</h1>
<ul class="scopes">${model.scopes.map((s) => html`<li><strong>${s.name}</strong><br><span class="hint">${s.description}</span></li>`)}</ul>
<form method="post" action="${model.action}">
${csrfField(model.csrf)}
<button type="submit" name="decision" value="allow">Allow access</button>
<button type="submit" name="decision" value="deny" class="secondary">Don't allow</button>
</form>`,
  });
}

export function accessDeniedPage(model: { orgName: string; clientName: string; message: string; csrf: string; action: string }): string {
  return page({
    title: 'Access denied',
    orgName: model.orgName,
    body: html`<h1>You can't use ${model.clientName}</h1>
${alert(model.message)}
<p>Ask your administrator to give you access to this app.</p>
<form method="post" action="${model.action}">
${csrfField(model.csrf)}
<button type="submit" class="secondary">Return to ${model.clientName}</button>
</form>`,
  });
}

/** The engine's own form (a hidden CSRF field) plus the fields and buttons that point at it. */
export function deviceInputPage(model: { orgName: string; engineForm: string; userCode?: string | undefined; error?: string | undefined }): string {
  return page({
    title: 'Connect a device',
    orgName: model.orgName,
    body: html`<h1>Connect a device</h1>
<p>Enter the code shown on your device.</p>
${alert(model.error)}
${raw(model.engineForm)}
<label for="user_code">Code</label>
<input id="user_code" name="user_code" type="text" form="op.deviceInputForm" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" required autofocus value="${model.userCode ?? ''}">
<button type="submit" form="op.deviceInputForm">Continue</button>`,
  });
}

export function deviceConfirmPage(model: { orgName: string; engineForm: string; clientName: string; userCode: string }): string {
  return page({
    title: 'Confirm the device',
    orgName: model.orgName,
    body: html`<h1>Sign in to ${model.clientName}?</h1>
<p>Make sure this code matches the one on your device: <strong>${model.userCode}</strong></p>
${raw(model.engineForm)}
<button type="submit" form="op.deviceConfirmForm" name="confirm" value="yes" autofocus>Yes, continue</button>
<button type="submit" form="op.deviceConfirmForm" name="abort" value="yes" class="secondary">Cancel</button>`,
  });
}

export function messageOnly(model: { orgName: string; title: string; message: string; extra?: Html }): string {
  return page({ title: model.title, orgName: model.orgName, body: html`<h1>${model.title}</h1><p>${model.message}</p>${model.extra ?? ''}` });
}

/**
 * The script that submits the sign-out form (its hash goes into the page's CSP): at once, or once
 * the apps' front-channel frames have loaded (at most two seconds).
 */
export const logoutScript = "(function(){var f=[].slice.call(document.querySelectorAll('iframe')),n=f.length,b=document.getElementById('lanyard-logout'),d=false;function go(){if(!d){d=true;b.click();}}if(!n){go();return;}f.forEach(function(i){i.addEventListener('load',function(){if(--n===0)go();});});setTimeout(go,2000);})();";

export function logoutPage(model: { orgName: string; engineForm: string; frontchannel: readonly string[] }): string {
  return page({
    title: 'Signing out',
    orgName: model.orgName,
    body: html`<h1>Signing you out…</h1>
${raw(model.engineForm)}
${model.frontchannel.map((src) => html`<iframe src="${src}" title="Signing out of an app" hidden></iframe>`)}
<button type="submit" id="lanyard-logout" form="op.logoutForm" name="logout" value="yes">Sign out</button>
<script>${raw(logoutScript)}</script>`,
  });
}

function raw(markup: string): Html {
  // Only for markup the protocol engine generated (hidden fields it escapes itself) or our constants.
  return new Html(markup);
}
