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
