/**
 * The automated checks a submitted version goes through, each with a readable result: the
 * manifest against its schema, https everywhere, the logo, the contacts its tier needs, the test
 * accounts, and that the vendor's test instance answers at its IdP metadata or discovery URL.
 */
import type { App } from '../domain/app.ts';
import { logoProblem } from './logo.ts';
import { manifestSchema, modesOf, type Manifest, type Tier } from './manifest.ts';
import { exampleValues, renderApp } from './render.ts';
import { renderTenantTemplate } from './templates.ts';
import { liveSignIn } from './live-sign-in.ts';
import { runScimConformance, type ScimCredentials } from './scim-conformance.ts';
import type { OutboundHttp } from '../kernel/outbound-http.ts';

export type CheckStatus = 'PASSED' | 'FAILED';

export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** What a check did, step by step, when that helps read a failure. */
  readonly steps?: readonly string[];
}

export interface CheckReport {
  readonly ran: string;
  readonly result: CheckStatus;
  readonly checks: readonly CheckResult[];
}

export interface TestAccountSummary {
  readonly username: string;
  readonly expires: boolean;
  readonly notes: string | null;
}

export interface CheckInput {
  readonly manifest: Manifest;
  /** The stored document, validated again from scratch. */
  readonly document: unknown;
  readonly tier: Tier;
  readonly testAccounts: readonly { username: string; expires: boolean }[];
  readonly testApp: App | undefined;
  readonly orgUrl: string;
  readonly now: Date;
  /** Fetches a URL; the real network by default. */
  readonly fetch?: typeof fetch;
  /** For the live sign-in: the guarded client, the test instance's variables and the first test account. */
  readonly live?: {
    readonly http: OutboundHttp;
    readonly variables: Readonly<Record<string, string>>;
    readonly account: { readonly username: string; readonly password: string } | undefined;
    /** Credentials of the vendor's test SCIM endpoint, for an integration that provisions. */
    readonly scim?: ScimCredentials | undefined;
  };
}

const check = (id: string, title: string, problems: readonly string[], passed: string): CheckResult =>
  ({ id, title, status: problems.length === 0 ? 'PASSED' : 'FAILED', detail: problems.length === 0 ? passed : problems.join('; ') });

/** Every URL of the manifest rendered with its examples, with where it came from. */
function renderedUrls(manifest: Manifest): string[] {
  const values = exampleValues(manifest);
  const urls: string[] = [];
  for (const mode of modesOf(manifest)) {
    const body = renderApp(manifest, mode, values).body;
    JSON.stringify(body, (_key, value: unknown) => {
      if (typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) urls.push(value);
      return value;
    });
  }
  if (manifest.provisioning) urls.push(manifest.provisioning.scim.baseUrl.replace(/\$\{org\.(\w+)\}/g, (_m, n: string) => values[n] ?? ''));
  return [...new Set(urls)];
}

/** Where the test instance's IdP configuration is published. */
function idpEndpoint(app: App, orgUrl: string): string | undefined {
  switch (app.signOnMode) {
    case 'SAML_2_0': return `${orgUrl}/app/${app.id}/sso/saml/metadata`;
    case 'WS_FEDERATION': return `${orgUrl}/app/${app.id}/sso/wsfed/metadata`;
    case 'OPENID_CONNECT': return `${orgUrl}/.well-known/openid-configuration`;
    default: return undefined;
  }
}

async function endpointCheck(input: CheckInput): Promise<CheckResult> {
  const title = 'The test instance\'s IdP metadata or discovery document answers';
  if (!input.testApp) return check('idpEndpoint', title, ['the integration has no test instance: create it again with the wizard'], '');
  if (input.testApp.status !== 'ACTIVE') return check('idpEndpoint', title, [`the test instance ${input.testApp.label} is not active`], '');
  const url = idpEndpoint(input.testApp, input.orgUrl);
  if (!url) return check('idpEndpoint', title, [], 'this sign-on mode publishes no metadata');
  try {
    const response = await (input.fetch ?? fetch)(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    const body = await response.text();
    const expected = input.testApp.signOnMode === 'OPENID_CONNECT' ? '"issuer"' : 'EntityDescriptor';
    if (response.status !== 200 || !body.includes(expected)) return check('idpEndpoint', title, [`${url} answered ${response.status} without ${expected}`], '');
    return check('idpEndpoint', title, [], `${url} answered 200`);
  } catch (error) {
    return check('idpEndpoint', title, [`${url} could not be fetched (${(error as Error).name})`], '');
  }
}

/** Where a person would start signing in to the test instance's app, or why there is no such place. */
function startOf(input: CheckInput, app: App): { url: string } | { problem: string } {
  const manifest = input.manifest;
  switch (app.signOnMode) {
    case 'SAML_2_0': {
      const saml = manifest.signOn.saml;
      if (saml?.idpInitiated !== false) return { url: `${input.orgUrl}/app/${app.name}/${app.id}/sso/saml` };
      if (saml.spLoginUrl) return { url: renderTenantTemplate(saml.spLoginUrl, input.live!.variables) };
      return { problem: 'the app takes no IdP-initiated sign-in and the manifest gives no spLoginUrl to start at' };
    }
    case 'WS_FEDERATION': {
      const realm = (app.settings.app as { realm?: string | null } | undefined)?.realm || `urn:okta:app:${app.id}`;
      return { url: `${input.orgUrl}/app/${app.name}/${app.id}/sso/wsfed/passive?wa=wsignin1.0&wtrealm=${encodeURIComponent(realm)}` };
    }
    case 'OPENID_CONNECT': {
      const start = (app.settings.oauthClient as { initiate_login_uri?: string | null } | undefined)?.initiate_login_uri;
      return start ? { url: start } : { problem: 'the manifest gives no initiateLoginUri, the URL where the app starts its sign-in' };
    }
    default:
      return { problem: `${app.signOnMode} apps have no live sign-in check yet` };
  }
}

/** The name or id a field selector points at: `#login`, `input[name="user"]`, or a bare name. */
function fieldIdentifier(selector: string): string {
  const attribute = /\[(?:name|id)=["']?([^"'\]]+)["']?\]/.exec(selector);
  if (attribute) return attribute[1]!;
  return selector.replace(/^#/, '').replace(/^input/, '');
}

/**
 * For an SWA app, until the vault signs people in: the sign-in page answers and shows the fields
 * the manifest names, so a browser will find them.
 */
async function swaFormCheck(input: CheckInput, app: App): Promise<CheckResult> {
  const title = 'The app\'s sign-in page shows the fields the manifest names';
  const settings = app.settings.app as { url: string; usernameField: string; passwordField: string };
  try {
    const response = await input.live!.http(settings.url, { headers: { accept: 'text/html' } });
    if (response.status !== 200) return check('liveSignIn', title, [`${settings.url} answered ${response.status}`], '');
    const missing = [settings.usernameField, settings.passwordField].map(fieldIdentifier)
      .filter((id) => !new RegExp(`\\b(name|id)=["']?${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["'\\s>]`).test(response.body));
    return check('liveSignIn', title, missing.map((id) => `the page has no field named ${id}`), `${settings.url} shows both fields`);
  } catch (error) {
    return check('liveSignIn', title, [`${settings.url} could not be fetched: ${(error as Error).message}`], '');
  }
}

async function liveCheck(input: CheckInput): Promise<CheckResult> {
  const title = 'The test account signs in to the app through its test instance';
  const app = input.testApp;
  if (!app || app.status !== 'ACTIVE') return check('liveSignIn', title, ['the integration has no active test instance'], '');
  if (app.signOnMode === 'BROWSER_PLUGIN') return swaFormCheck(input, app);
  if (!input.live?.account) return check('liveSignIn', title, ['supply a test account to sign in with'], '');
  const start = startOf(input, app);
  if ('problem' in start) return check('liveSignIn', title, [start.problem], '');
  const result = await liveSignIn({
    http: input.live.http, lanyardOrigin: input.orgUrl, startUrl: start.url, username: input.live.account.username, password: input.live.account.password,
  });
  return { ...check('liveSignIn', title, result.passed ? [] : [result.detail], result.detail), steps: result.steps };
}

async function scimCheck(input: CheckInput): Promise<CheckResult> {
  const title = 'The test SCIM endpoint answers the requests Okta\'s SCIM tests make';
  const scim = input.manifest.provisioning!.scim;
  const credentials = input.live!.scim;
  const complete = scim.authScheme === 'basic' ? credentials?.username && credentials.password : credentials?.token;
  if (!complete) {
    return check('scimConformance', title, [scim.authScheme === 'basic'
      ? 'supply the test SCIM endpoint\'s scim.username and scim.password' : 'supply a token for the test SCIM endpoint as scim.token'], '');
  }
  const baseUrl = renderTenantTemplate(scim.baseUrl, input.live!.variables);
  const result = await runScimConformance({ http: input.live!.http, baseUrl, manifest: input.manifest, credentials: credentials! });
  return { ...check('scimConformance', title, result.passed ? [] : [result.detail], result.detail), steps: result.steps };
}

export async function runChecks(input: CheckInput): Promise<CheckReport> {
  const { manifest } = input;
  const schema = manifestSchema.safeParse(input.document);
  const checks: CheckResult[] = [
    check('schema', 'The manifest is valid', schema.success ? [] : schema.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      'the manifest passes every rule of format 1'),
  ];
  const urls = schema.success ? renderedUrls(manifest) : [];
  const insecure = urls.filter((url) => url.startsWith('http://') && !/^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:|\/|$)/.test(url));
  checks.push(check('https', 'Every URL uses https', insecure.map((url) => `${url} is not https`), `${urls.length} URLs checked`));
  const logo = logoProblem(manifest.logo.mediaType, Buffer.from(manifest.logo.data, 'base64'));
  checks.push(check('logo', 'The logo is a safe SVG or PNG of the right size', logo ? [`logo ${logo}`] : [], `${manifest.logo.mediaType}, ${Buffer.from(manifest.logo.data, 'base64').length} bytes`));
  checks.push(check('contacts', 'A support contact is given', manifest.contacts.support ? [] : ['contacts.support is missing'], 'support contact given'));
  checks.push(check('testAccounts', 'At least one test account is supplied', input.testAccounts.length === 0 ? ['supply at least one test account'] : [],
    `${input.testAccounts.length} test account(s)`));
  if (input.tier === 'verified') {
    const problems: string[] = [];
    for (const role of ['support', 'technical', 'business', 'escalation'] as const) {
      if (!manifest.contacts[role]?.email) problems.push(`contacts.${role} needs an email address`);
    }
    const lasting = input.testAccounts.filter((a) => !a.expires).length;
    if (lasting < 2) problems.push(`two test accounts that never expire are needed (${lasting} given)`);
    checks.push(check('verifiedRequirements', 'The verified tier\'s requirements are met', problems, 'four contacts and two lasting test accounts'));
  }
  checks.push(await endpointCheck(input));
  if (input.live) checks.push(await liveCheck(input));
  if (input.live && manifest.provisioning) checks.push(await scimCheck(input));
  return { ran: input.now.toISOString(), result: checks.every((c) => c.status === 'PASSED') ? 'PASSED' : 'FAILED', checks };
}
