/**
 * Helpers for SAML tests: a SAML 2.0 app made through the management API (Okta's
 * `settings.signOn`), its IdP metadata and certificate, and a browser run through Lanyard's
 * SSO endpoints that returns the form Lanyard posts to the service provider (which is never
 * requested: ACS URLs use the reserved `.test` domain unless a test runs a real SP).
 */
import { api, type TestLanyard } from './lanyard.ts';
import { BrowserlessClient, csrfOf, decodeEntities, findForms, type Navigation } from './browserless.ts';

export const spEntityId = 'https://sp.example.test/metadata';
export const acsUrl = 'https://sp.example.test/acs';

export interface TestSamlApp {
  readonly id: string;
  readonly name: string;
  readonly ssoUrl: string;
  readonly sloUrl: string;
  readonly metadataUrl: string;
  readonly certificate: string;
  readonly idpIssuer: string;
}

/** Creates an active SAML app; `signOn` merges into Okta's `settings.signOn`. */
export async function createSamlApp(t: Pick<TestLanyard, 'url' | 'token'>, options: {
  label?: string; signOn?: Record<string, unknown>; assign?: string[];
} = {}): Promise<TestSamlApp> {
  const call = api(t);
  const created = await call('/api/v1/apps', {
    method: 'POST',
    json: {
      label: options.label ?? 'SAML Test App', signOnMode: 'SAML_2_0',
      settings: { signOn: { ssoAcsUrl: acsUrl, audience: spEntityId, ...options.signOn } },
    },
  });
  if (created.status !== 200) throw new Error(`SAML app not created: ${created.status} ${created.text}`);
  for (const userId of options.assign ?? []) {
    const assigned = await call(`/api/v1/apps/${created.json.id}/users`, { method: 'POST', json: { id: userId } });
    if (assigned.status !== 200) throw new Error(`not assigned: ${assigned.text}`);
  }
  const id = created.json.id as string;
  const name = created.json.name as string;
  const metadataUrl = `${t.url}/app/${id}/sso/saml/metadata`;
  const metadata = await (await fetch(metadataUrl)).text();
  const certificate = /<ds:X509Certificate>([^<]+)</.exec(metadata)?.[1];
  const idpIssuer = /entityID="([^"]+)"/.exec(metadata)?.[1];
  if (!certificate || !idpIssuer) throw new Error(`no certificate or entityID in the metadata: ${metadata.slice(0, 300)}`);
  return {
    id, name, metadataUrl, certificate, idpIssuer: decodeEntities(idpIssuer),
    ssoUrl: `${t.url}/app/${name}/${id}/sso/saml`, sloUrl: `${t.url}/app/${name}/${id}/slo/saml`,
  };
}

export interface PostedForm {
  readonly action: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** The auto-submitted form of a page Lanyard answered with, or undefined when the page has none to another origin. */
export function postedForm(nav: Navigation): PostedForm | undefined {
  const form = findForms(nav.final.body).find((f) => f.method === 'post' && /^https?:/.test(f.action));
  return form ? { action: form.action, fields: form.fields } : undefined;
}

/**
 * Opens `url` (an SSO URL, with or without a request) in `browser`, signs in on Lanyard's form if
 * it is shown, and returns the final navigation (the posting page, an error page, …).
 */
export async function samlSignIn(browser: BrowserlessClient, url: string, credentials?: { username: string; password: string }): Promise<Navigation> {
  let nav = await browser.get(url);
  if (nav.final.status === 200 && /name="password"/.test(nav.final.body) && credentials) {
    nav = await browser.submit(nav.final, { csrf: csrfOf(nav.final.body), username: credentials.username, password: credentials.password });
  }
  return nav;
}

/** Posts a form (the POST binding) to Lanyard from the browser, following Lanyard's redirects. */
export function postBinding(browser: BrowserlessClient, url: string, fields: Record<string, string>): Promise<Navigation> {
  return browser.navigate(url, { method: 'POST', form: fields });
}
