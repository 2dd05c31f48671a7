/**
 * The second-factor pages of sign-in: prove a factor (a passcode from an authenticator app or a
 * backup code, or a security key / passkey), choose one to set up when none is, and set up an
 * authenticator app from its QR code. Usable without JavaScript except the WebAuthn ceremony,
 * which `/assets/webauthn.js` performs.
 */
import { Html, html } from './html.ts';
import { alert, csrfField, page } from './layout.ts';

/** Where a second-factor form posts, and what it carries through the step. */
export interface MfaFormContext {
  readonly orgName: string;
  readonly csrf: string;
  /** The sign-in's state token, when the password was just proved (no session yet). */
  readonly stateToken?: string | undefined;
  readonly fromUri?: string | undefined;
  readonly error?: string | undefined;
}

export interface FactorChoice {
  readonly id: string;
  readonly kind: 'totp' | 'webauthn';
  readonly label: string;
}

/**
 * JSON for a `<script type="application/json">` element: its text is not HTML-decoded, so it is
 * not escaped as HTML; instead `<`, `>` and `&` become JSON escapes, so no `</script>` can appear.
 */
function jsonScript(value: unknown): Html {
  return new Html(JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

function carried(model: MfaFormContext): Html {
  return html`${csrfField(model.csrf)}
${model.stateToken ? html`<input type="hidden" name="stateToken" value="${model.stateToken}">` : ''}
${model.fromUri ? html`<input type="hidden" name="fromURI" value="${model.fromUri}">` : ''}`;
}

/** Links to the user's other factors: each a small form, so the state token never goes in a URL. */
function otherFactors(model: MfaFormContext, factors: readonly FactorChoice[], chosen: FactorChoice): Html {
  const others = factors.filter((f) => f.id !== chosen.id);
  if (others.length === 0) return html``;
  return html`<h2>Use another method</h2>
${others.map((f) => html`<form method="post" action="/login/mfa/choose" class="inline">
${carried(model)}<input type="hidden" name="factorId" value="${f.id}">
<button type="submit" class="secondary">${f.label}</button>
</form>`)}`;
}

export function mfaVerifyPage(model: MfaFormContext & {
  readonly factors: readonly FactorChoice[];
  readonly chosen: FactorChoice;
  /** The WebAuthn request options (JSON) for a security-key factor. */
  readonly webauthnOptions?: unknown;
}): string {
  const { chosen } = model;
  if (chosen.kind === 'webauthn') {
    return page({
      title: 'Verify it\'s you',
      orgName: model.orgName,
      scripts: ['/assets/webauthn.js'],
      body: html`<h1>Verify it's you</h1>
<p>Use your security key or passkey (${chosen.label}).</p>
${alert(model.error)}
<div data-webauthn-error role="alert" class="alert alert-error" hidden></div>
<script type="application/json" id="webauthn-options">${jsonScript(model.webauthnOptions ?? {})}</script>
<form method="post" action="/login/mfa" data-webauthn="get">
${carried(model)}
<input type="hidden" name="factorId" value="${chosen.id}">
<input type="hidden" name="clientData" value="">
<input type="hidden" name="authenticatorData" value="">
<input type="hidden" name="signatureData" value="">
<button type="button" data-webauthn-start>Use security key</button>
</form>
${otherFactors(model, model.factors, chosen)}`,
    });
  }
  return page({
    title: 'Verify it\'s you',
    orgName: model.orgName,
    body: html`<h1>Verify it's you</h1>
<p>Enter the code from your authenticator app, or one of your backup codes.</p>
${alert(model.error)}
<form method="post" action="/login/mfa" novalidate>
${carried(model)}
<input type="hidden" name="factorId" value="${chosen.id}">
<label for="passCode">Code</label>
<input id="passCode" name="passCode" type="text" inputmode="numeric" autocomplete="one-time-code" autocapitalize="none" spellcheck="false" required autofocus>
<button type="submit">Verify</button>
</form>
${otherFactors(model, model.factors, chosen)}`,
  });
}

export interface EnrollChoice {
  readonly factorType: string;
  readonly provider: string;
  readonly label: string;
  readonly description: string;
}

export function mfaEnrollChoicePage(model: MfaFormContext & { readonly choices: readonly EnrollChoice[] }): string {
  return page({
    title: 'Set up a second factor',
    orgName: model.orgName,
    body: html`<h1>Set up a second factor</h1>
<p>Your organization asks for a second step when you sign in. Choose how you want to verify it's you.</p>
${alert(model.error)}
${model.choices.map((c) => html`<form method="post" action="/login/mfa/enroll" class="choice">
${carried(model)}
<input type="hidden" name="factorType" value="${c.factorType}">
<input type="hidden" name="provider" value="${c.provider}">
<button type="submit">${c.label}</button>
<p class="hint">${c.description}</p>
</form>`)}`,
  });
}

export function totpSetupPage(model: MfaFormContext & {
  readonly factorId: string;
  readonly qrDataUrl: string;
  readonly secret: string;
}): string {
  return page({
    title: 'Set up your authenticator app',
    orgName: model.orgName,
    body: html`<h1>Set up your authenticator app</h1>
<ol>
<li>Scan this code with an authenticator app (or enter the key below).</li>
<li>Enter the six-digit code the app shows.</li>
</ol>
<img src="${model.qrDataUrl}" alt="QR code for your authenticator app" width="200" height="200">
<p>Key: <code class="secret">${model.secret.replace(/(.{4})/g, '$1 ').trim()}</code></p>
${alert(model.error)}
<form method="post" action="/login/mfa/activate" novalidate>
${carried(model)}
<input type="hidden" name="factorId" value="${model.factorId}">
<label for="passCode">Code</label>
<input id="passCode" name="passCode" type="text" inputmode="numeric" autocomplete="one-time-code" required autofocus>
<button type="submit">Verify and continue</button>
</form>`,
  });
}

export function backupCodesPage(model: { readonly orgName: string; readonly codes: readonly string[]; readonly continueTo: string }): string {
  return page({
    title: 'Your backup codes',
    orgName: model.orgName,
    body: html`<h1>Save your backup codes</h1>
<p>Each code signs you in once if you lose your authenticator. Keep them somewhere safe: they are shown only now.</p>
<ul class="codes">${model.codes.map((c) => html`<li><code>${c}</code></li>`)}</ul>
<p><a class="button" href="${model.continueTo}">I saved them, continue</a></p>`,
  });
}

export function webauthnSetupPage(model: MfaFormContext & { readonly factorId: string; readonly options: unknown }): string {
  return page({
    title: 'Set up a security key',
    orgName: model.orgName,
    scripts: ['/assets/webauthn.js'],
    body: html`<h1>Set up a security key or passkey</h1>
<p>Follow your browser's prompt to register it.</p>
${alert(model.error)}
<div data-webauthn-error role="alert" class="alert alert-error" hidden></div>
<script type="application/json" id="webauthn-options">${jsonScript(model.options)}</script>
<form method="post" action="/login/mfa/activate" data-webauthn="create">
${carried(model)}
<input type="hidden" name="factorId" value="${model.factorId}">
<input type="hidden" name="attestation" value="">
<input type="hidden" name="clientData" value="">
<button type="button" data-webauthn-start>Register security key</button>
</form>`,
  });
}
