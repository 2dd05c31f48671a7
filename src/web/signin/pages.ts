/** The sign-in pages: server-rendered, usable without JavaScript, labelled for screen readers. */
import { html } from './html.ts';
import { alert, csrfField, page } from './layout.ts';
import type { PasswordPolicy } from '../../domain/org.ts';

export interface SignInPageModel {
  readonly orgName: string;
  readonly csrf: string;
  readonly login?: string | undefined;
  readonly error?: string | undefined;
  readonly notice?: string | undefined;
  readonly fromUri?: string | undefined;
  /** Where the form posts; the sign-in page's own by default. */
  readonly action?: string | undefined;
}

export function signInPage(model: SignInPageModel): string {
  return page({
    title: 'Sign in',
    orgName: model.orgName,
    body: html`<h1>Sign in</h1>
${alert(model.error)}${alert(model.notice, 'info')}
<form method="post" action="${model.action ?? '/login'}" novalidate>
${csrfField(model.csrf)}
${model.fromUri ? html`<input type="hidden" name="fromURI" value="${model.fromUri}">` : ''}
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${model.login ?? ''}" ${model.login ? '' : html`autofocus`}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required ${model.login ? html`autofocus` : ''}>
<button type="submit">Sign in</button>
</form>`,
  });
}

export function passwordRequirements(policy: PasswordPolicy): string[] {
  const rules = [`At least ${policy.minLength} characters`];
  if (policy.requireLowercase) rules.push('A lowercase letter');
  if (policy.requireUppercase) rules.push('An uppercase letter');
  if (policy.requireNumber) rules.push('A number');
  if (policy.requireSymbol) rules.push('A symbol');
  if (policy.excludeUsername) rules.push('No parts of your username');
  // The policy check enforces this too; the list must say so before a refusal does.
  if (policy.excludeAttributes.length > 0) {
    rules.push(`Does not include your ${policy.excludeAttributes.map((a) => (a === 'firstName' ? 'first name' : 'last name')).join(' or ')}`);
  }
  if (policy.historyCount > 0) rules.push(`Not one of your last ${policy.historyCount} passwords`);
  if (policy.rejectCommonPasswords) rules.push('Not a commonly used password');
  return rules;
}

export interface SetPasswordPageModel {
  readonly orgName: string;
  readonly title: string;
  readonly intro: string;
  readonly action: string;
  readonly csrf: string;
  readonly login: string;
  readonly requirements: readonly string[];
  readonly error?: string | undefined;
  readonly hidden?: Readonly<Record<string, string>>;
}

export function setPasswordPage(model: SetPasswordPageModel): string {
  return page({
    title: model.title,
    orgName: model.orgName,
    body: html`<h1>${model.title}</h1>
<p>${model.intro}</p>
${alert(model.error)}
<form method="post" action="${model.action}" novalidate>
${csrfField(model.csrf)}
${Object.entries(model.hidden ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<input type="text" name="username" autocomplete="username" value="${model.login}" hidden readonly>
<label for="newPassword">New password</label>
<input id="newPassword" name="newPassword" type="password" autocomplete="new-password" required aria-describedby="requirements" autofocus>
<ul id="requirements" class="hint">${model.requirements.map((r) => html`<li>${r}</li>`)}</ul>
<label for="confirmPassword">Repeat new password</label>
<input id="confirmPassword" name="confirmPassword" type="password" autocomplete="new-password" required>
<button type="submit">Set password</button>
</form>`,
  });
}

/** A device or app asking, through the back channel (CIBA), to sign the user in. */
export interface PendingRequest {
  readonly action: string;
  readonly clientName: string;
  readonly scope: string;
  readonly bindingMessage: string | undefined;
}

/** An app the user has allowed to act for them (an OAuth consent), with the form that revokes it. */
export interface AllowedApp {
  readonly name: string;
  readonly scopes: readonly string[];
  readonly action: string;
}

/** One of the user's second factors, as their own page lists it. */
export interface OwnFactor {
  readonly label: string;
  readonly since: string;
  readonly removeAction: string;
}

export function signedInPage(model: { orgName: string; csrf: string; name: string; login: string; lastLogin: string | null;
  pending?: readonly PendingRequest[]; allowed?: readonly AllowedApp[]; apps?: readonly { label: string; href: string }[];
  factors?: readonly OwnFactor[] }): string {
  return page({
    title: 'Signed in',
    orgName: model.orgName,
    body: html`<h1>Welcome, ${model.name}</h1>
${(model.pending ?? []).map((p) => html`<section class="alert alert-info" aria-label="Sign-in request">
<p><strong>${p.clientName}</strong> asks to sign you in${p.bindingMessage ? html` (code <strong>${p.bindingMessage}</strong>)` : ''}.</p>
<p class="hint">Access: ${p.scope}</p>
<form method="post" action="${p.action}">
${csrfField(model.csrf)}
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>
</section>`)}
${(model.apps ?? []).length > 0 ? html`<section aria-label="Your apps">
<h2>Your apps</h2>
<ul>
${(model.apps ?? []).map((a) => html`<li><a href="${a.href}">${a.label}</a></li>`)}
</ul>
</section>` : ''}
<dl>
<dt>Signed in as</dt><dd>${model.login}</dd>
${model.lastLogin ? html`<dt>Signed in at</dt><dd><time datetime="${model.lastLogin}">${model.lastLogin}</time></dd>` : ''}
</dl>
${(model.allowed ?? []).length > 0 ? html`<section aria-label="Apps you have allowed">
<h2>Apps you have allowed</h2>
<ul>
${(model.allowed ?? []).map((a) => html`<li>
<form method="post" action="${a.action}">
${csrfField(model.csrf)}
<strong>${a.name}</strong> <span class="hint">${a.scopes.join(', ')}</span>
<button type="submit" class="secondary">Revoke</button>
</form>
</li>`)}
</ul>
</section>` : ''}
${model.factors ? html`<section aria-label="Sign-in methods">
<h2>Second factors</h2>
${model.factors.length === 0 ? html`<p class="hint">You have none yet. A second factor keeps your account safe even if someone learns your password.</p>` : ''}
<ul>
${model.factors.map((f) => html`<li>
<form method="post" action="${f.removeAction}">
${csrfField(model.csrf)}
<strong>${f.label}</strong> <span class="hint">since <time datetime="${f.since}">${f.since.slice(0, 10)}</time></span>
<button type="submit" class="secondary">Remove</button>
</form>
</li>`)}
</ul>
<form method="post" action="/login/mfa/enroll">
${csrfField(model.csrf)}
<input type="hidden" name="fromURI" value="/">
<input type="hidden" name="factorType" value="token:software:totp">
<input type="hidden" name="provider" value="GOOGLE">
<button type="submit" class="secondary">Set up an authenticator app</button>
</form>
<form method="post" action="/login/mfa/enroll">
${csrfField(model.csrf)}
<input type="hidden" name="fromURI" value="/">
<input type="hidden" name="factorType" value="webauthn">
<input type="hidden" name="provider" value="FIDO">
<button type="submit" class="secondary">Set up a security key or passkey</button>
</form>
</section>` : ''}
<form method="post" action="/logout">
${csrfField(model.csrf)}
<button type="submit" class="secondary">Sign out</button>
</form>`,
  });
}

export function signOutConfirmPage(model: { orgName: string; csrf: string }): string {
  return page({
    title: 'Sign out',
    orgName: model.orgName,
    body: html`<h1>Sign out?</h1>
<form method="post" action="/logout">
${csrfField(model.csrf)}
<button type="submit">Sign out</button>
</form>
<p><a href="/">Stay signed in</a></p>`,
  });
}

export function messagePage(model: { orgName: string; title: string; message: string; link?: { href: string; text: string } }): string {
  return page({
    title: model.title,
    orgName: model.orgName,
    body: html`<h1>${model.title}</h1>
<p>${model.message}</p>
${model.link ? html`<p><a href="${model.link.href}">${model.link.text}</a></p>` : ''}`,
  });
}
