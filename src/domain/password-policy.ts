/**
 * Checks a new password against an org's policy. Pure: the caller supplies the common-password
 * list and a function that tests the password against the stored history hashes.
 */
import type { PasswordPolicy } from './org.ts';

export interface PasswordContext {
  readonly login: string;
  readonly firstName?: string | undefined;
  readonly lastName?: string | undefined;
}

/** Returns the policy rules the password breaks, as sentences for `errorCauses`; empty when it passes. */
export function passwordProblems(password: string, policy: PasswordPolicy, context: PasswordContext,
  isCommon: (password: string) => boolean): string[] {
  const problems: string[] = [];
  if (password.length < policy.minLength) problems.push(`at least ${policy.minLength} characters`);
  if (password.length > 256) problems.push('at most 256 characters');
  if (policy.requireLowercase && !/\p{Ll}/u.test(password)) problems.push('a lowercase letter');
  if (policy.requireUppercase && !/\p{Lu}/u.test(password)) problems.push('an uppercase letter');
  if (policy.requireNumber && !/\p{Nd}/u.test(password)) problems.push('a number');
  if (policy.requireSymbol && !/[^\p{L}\p{Nd}]/u.test(password)) problems.push('a symbol');
  const lower = password.toLowerCase();
  if (policy.excludeUsername) {
    // Okta: the login splits into parts at punctuation; a part shorter than 4 characters and the
    // top-level domain do not count, and the password may not contain any whole part.
    const login = context.login.toLowerCase();
    const at = login.lastIndexOf('@');
    const local = at === -1 ? login : login.slice(0, at);
    const domain = at === -1 ? '' : login.slice(at + 1).replace(/\.?[^.]*$/, '');
    const parts = `${local}.${domain}`.split(/[^\p{L}\p{N}]+/u).filter((part) => part.length >= 4);
    if (parts.some((part) => lower.includes(part))) problems.push('no parts of your username');
  }
  for (const attribute of policy.excludeAttributes) {
    const value = context[attribute]?.toLowerCase();
    if (value && value.length >= 3 && lower.includes(value)) {
      problems.push(`does not include your ${attribute === 'firstName' ? 'first' : 'last'} name`);
    }
  }
  if (policy.rejectCommonPasswords && isCommon(password)) problems.push('not a commonly used password');
  return problems;
}

/** The sentence Okta uses for a policy failure, listing every rule. */
export function describePasswordProblems(problems: readonly string[]): string {
  return `password: Password requirements were not met. Password requirements: ${problems.join(', ')}.`;
}
