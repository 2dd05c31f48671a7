/**
 * Secure web authentication (SWA) apps as Okta's `template_swa` describes them
 * (`signOnMode: BROWSER_PLUGIN`): the app's sign-in page and the fields a browser fills there.
 * Users sign in with credentials from the vault (`services/swa.ts`): Lanyard posts the form
 * itself (`launchMethod: FORM_POST`) or leaves it to its browser extension (`EXTENSION`).
 */
import { z } from 'zod';
import { httpUrl, optionalText, requiredText } from './saml-app.ts';
import { swaCredentialSchemes } from './swa-credentials.ts';

export const swaAppSchema = z.object({
  /** The sign-in page. */
  url: httpUrl(),
  /** CSS selectors (or `name`s) of the sign-in form's fields. */
  usernameField: requiredText(200),
  passwordField: requiredText(200),
  buttonField: optionalText(200),
  /** Okta's "login URL regex": other URLs that show the same sign-in form. */
  loginUrlRegex: optionalText(1024),
  /** Further fields the form needs (an organisation ID…), each with its value. */
  extraFields: z.array(z.object({ field: requiredText(200), label: requiredText(100), value: requiredText(1024) }), { error: 'must be an array of {field, label, value}' })
    .max(5, 'must have at most 5 fields').nullish(),
  /**
   * How a launch signs the user in: `FORM_POST` (default), a page of Lanyard's that posts the form
   * to `url`; `EXTENSION`, the browser extension fills the app's own page.
   */
  launchMethod: z.enum(['FORM_POST', 'EXTENSION'], { error: 'must be FORM_POST or EXTENSION' }).default('FORM_POST'),
});

export type SwaAppSettings = z.output<typeof swaAppSchema>;

/** An app's SWA sign-in settings as stored, or undefined when they are missing or do not parse. */
export function swaSettingsOf(app: { readonly settings: Readonly<Record<string, unknown>> }): SwaAppSettings | undefined {
  const parsed = swaAppSchema.safeParse(app.settings.app ?? {});
  return parsed.success ? parsed.data : undefined;
}

/** A user name and a password in an app, wherever they are set (the app's shared account, an app user). */
export const swaUserNameSchema = z.string().trim().min(1, 'must not be blank').max(100, 'must be at most 100 characters');
export const swaPasswordSchema = z.string().min(1, 'must not be blank').max(1024, 'must be at most 1024 characters');

/**
 * An SWA app's `credentials`: the scheme (who sets what, see `swa-credentials.ts`) and, for
 * `SHARED_USERNAME_AND_PASSWORD`, the one account everyone signs in with.
 */
export const swaAppCredentialsSchema = z.object({
  scheme: z.enum(swaCredentialSchemes, { error: `must be one of ${swaCredentialSchemes.join(', ')}` }).default('EDIT_USERNAME_AND_PASSWORD'),
  userName: swaUserNameSchema.optional(),
  password: z.object({ value: swaPasswordSchema.optional() }).loose().optional(),
}).loose();
