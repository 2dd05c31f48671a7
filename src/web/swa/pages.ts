/**
 * The pages of SWA app launches: the form that posts vaulted credentials to the app's sign-in
 * URL, and the user's page for their credentials of an app (set, update, reveal). Nothing here
 * runs inline script: the launch page loads `/assets/swa-submit.js` and shows a Continue button.
 */
import { html } from '../signin/html.ts';
import { alert, csrfField, page } from '../signin/layout.ts';

export interface LaunchFormModel {
  readonly orgName: string;
  readonly appLabel: string;
  /** Where the form posts: the app's sign-in URL. */
  readonly action: string;
  readonly fields: readonly { readonly name: string; readonly value: string }[];
}

export function swaLaunchPage(model: LaunchFormModel): string {
  return page({
    title: `Signing in to ${model.appLabel}`,
    orgName: model.orgName,
    scripts: ['/assets/swa-submit.js'],
    body: html`<h1>Signing you in to ${model.appLabel}…</h1>
<form id="swa-launch" method="post" action="${model.action}" autocomplete="off">
${model.fields.map((f) => html`<input type="hidden" name="${f.name}" value="${f.value}">
`)}<button type="submit">Continue</button>
</form>`,
  });
}

export interface CredentialsPageModel {
  readonly orgName: string;
  readonly csrf: string;
  readonly appLabel: string;
  /** `/home/{appName}/{appId}`: the page posts to `{base}/credentials`. */
  readonly base: string;
  readonly userName: string;
  readonly hasPassword: boolean;
  readonly userSetsUserName: boolean;
  readonly userSetsPassword: boolean;
  readonly mayReveal: boolean;
  /** The form opens the app once saved (the first launch). */
  readonly launchAfter?: boolean;
  readonly error?: string | undefined;
  readonly notice?: string | undefined;
  readonly revealed?: string | undefined;
  readonly revealError?: string | undefined;
}

export function swaCredentialsPage(m: CredentialsPageModel): string {
  const editable = m.userSetsUserName || m.userSetsPassword;
  return page({
    title: `Your sign-in for ${m.appLabel}`,
    orgName: m.orgName,
    body: html`<h1>Your sign-in for ${m.appLabel}</h1>
${alert(m.error)}${alert(m.notice, 'info')}
${editable ? html`<form method="post" action="${m.base}/credentials">
${csrfField(m.csrf)}${m.launchAfter ? html`<input type="hidden" name="launch" value="1">` : ''}
${m.userSetsUserName
    ? html`<label for="userName">User name for ${m.appLabel}</label>
<input type="text" id="userName" name="userName" value="${m.userName}" autocomplete="off" required>`
    : html`<dl><dt>User name</dt><dd id="userName">${m.userName}</dd></dl>
<p class="hint">Your administrator sets this user name.</p>`}
${m.userSetsPassword
    ? html`<label for="password">Password for ${m.appLabel}</label>
<input type="password" id="password" name="password" autocomplete="new-password"${m.hasPassword ? '' : html` required`}>
${m.hasPassword ? html`<p class="hint">Leave empty to keep the password you set.</p>` : ''}`
    : html`<p class="hint">Your administrator sets the password; it is never shown.</p>`}
<button type="submit">${m.launchAfter ? `Save and open ${m.appLabel}` : 'Save'}</button>
</form>` : html`<dl><dt>User name</dt><dd id="userName">${m.userName}</dd></dl>
<p class="hint">Your administrator manages this sign-in; its password is never shown.</p>`}
${m.mayReveal ? html`<h2>Reveal password</h2>
${m.revealed !== undefined ? html`<dl><dt>Password</dt><dd><code id="revealed-password">${m.revealed}</code></dd></dl>` : html`${alert(m.revealError)}
<form method="post" action="${m.base}/credentials/reveal">
${csrfField(m.csrf)}
<label for="lanyardPassword">Your ${m.orgName} password</label>
<input type="password" id="lanyardPassword" name="lanyardPassword" autocomplete="current-password" required>
<button type="submit" class="secondary">Reveal password</button>
</form>`}` : ''}
<p><a href="${m.base}">Open ${m.appLabel}</a> · <a href="/">Back to your apps</a></p>`,
  });
}
