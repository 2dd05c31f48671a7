/**
 * Secure web authentication (SWA) apps as Okta's `template_swa` describes them
 * (`signOnMode: BROWSER_PLUGIN`): the app's sign-in page and the fields a browser fills there.
 * Lanyard stores and checks them; signing people in with vaulted credentials comes with the
 * credential vault.
 */
import { z } from 'zod';
import { httpUrl, optionalText, requiredText } from './saml-app.ts';

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
});

export type SwaAppSettings = z.output<typeof swaAppSchema>;
