/**
 * A real WS-Federation relying party from the npm registry against Lanyard: an Express app with
 * passport-wsfed-saml2 (Auth0's passive-requestor strategy), configured only as one configures it
 * for Okta — the realm, Lanyard's passive endpoint as `identityProviderUrl`, and the signing
 * certificate (or its thumbprint) read from the app's federation metadata. It keeps its own
 * session and sends a random `wctx` it checks on the way back (`state: true`).
 *
 * A browser asks the relying party for its sign-in, is sent to Lanyard, signs in, and the form
 * Lanyard returns posts `wresult` back; passport accepts the token and the relying party shows
 * the user. The same token is verified independently with `xmlsec1 --verify` against the
 * metadata certificate. Once with BrowserlessClient (one per origin), once with Chromium.
 *
 * Needs xmlsec1 and Debian's chromium; without them it fails.
 */
import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import type { Strategy as PassportStrategy } from 'passport';
import type { Browser } from 'playwright-core';
import { api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';
import { createUser } from '../helpers/oidc.ts';
import { BrowserlessClient, decodeEntities, textOf } from '../helpers/browserless.ts';
import { postedForm, samlSignIn, type PostedForm } from '../helpers/saml.ts';
import { freePort } from '../helpers/ports.ts';
import { requireCommand } from '../helpers/certificates.ts';
import { launchChromium, screenshot, signInOnLanyardPage } from '../helpers/chromium.ts';

/** passport-wsfed-saml2 ships no types: what this test uses of it. */
type WsFedStrategyClass = new (options: Record<string, unknown>,
  verify: (profile: Record<string, unknown>, done: (error: Error | null, user?: Record<string, unknown>) => void) => void) => PassportStrategy;
const { Strategy: WsFedSaml2Strategy } = createRequire(import.meta.url)('passport-wsfed-saml2') as { Strategy: WsFedStrategyClass };

const claims = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims';
const roleClaim = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role';
const realm = 'urn:lanyard:test:passport-rp';
const person = { username: 'grace.hopper@example.com', password: 'Compiler-A0-1952', firstName: 'Grace', lastName: 'Hopper' };
/** What a WIF relying party sends in `wreq` to ask for a SAML 1.1 token, as ADFS understands it. */
const saml11Wreq = '<trust:RequestSecurityToken xmlns:trust="http://docs.oasis-open.org/ws-sx/ws-trust/200512">'
  + '<trust:TokenType>urn:oasis:names:tc:SAML:1.0:assertion</trust:TokenType></trust:RequestSecurityToken>';

interface RelyingParty {
  readonly url: string;
  close(): Promise<void>;
}

let t: TestLanyard;
let appId: string;
let passiveUrl: string;
let metadataCertificate: string;
let rp: RelyingParty;
let workDir: string;

/** The text of `<ds:X509Certificate>` in a metadata document. */
function certificateOf(metadata: string): string {
  const body = /<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/.exec(metadata)?.[1];
  if (!body) throw new Error(`no signing certificate in the metadata: ${metadata.slice(0, 300)}`);
  return body.replace(/\s+/g, '');
}

function pem(base64: string): string {
  return `-----BEGIN CERTIFICATE-----\n${base64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * The relying party: `/login` (SAML 2.0, the app's token type, checked against the certificate),
 * `/login-saml11` (SAML 1.1 asked for with `wreq`, checked against the thumbprint), `/callback`
 * where Lanyard posts the token, `/profile` showing who signed in.
 */
async function startRelyingParty(port: number, certificate: string): Promise<RelyingParty> {
  const origin = `http://localhost:${port}`;
  const verify = (profile: Record<string, unknown>, done: (error: Error | null, user?: Record<string, unknown>) => void) => done(null, profile);
  const common = { realm, identityProviderUrl: passiveUrl, homeRealm: '', state: true, sessionKey: 'wsfed:lanyard' };
  const thumbprint = createHash('sha1').update(Buffer.from(certificate, 'base64')).digest('hex');
  const strategies = new passport.Passport();
  strategies.use('lanyard-cert', new WsFedSaml2Strategy({ ...common, cert: certificate }, verify));
  strategies.use('lanyard-thumbprint', new WsFedSaml2Strategy({ ...common, thumbprint }, verify));

  const app = express();
  app.use(session({ name: 'rp.sid', secret: 'relying-party-test-secret', resave: false, saveUninitialized: true }));
  app.use(express.urlencoded({ extended: false, limit: '1mb' }));
  app.use(strategies.initialize());
  // Options are made per request: the strategy writes the wctx it generates into them, so shared
  // options would send every later visitor the first one's context (and skip storing a new one).
  app.get('/login', (req, res, next) => {
    delete (req.session as unknown as { tokenType?: string }).tokenType;
    strategies.authenticate('lanyard-cert', { session: false })(req, res, next);
  });
  app.get('/login-saml11', (req, res, next) => {
    strategies.authenticate('lanyard-thumbprint', { session: false, wreq: saml11Wreq } as passport.AuthenticateOptions)(req, res, next);
  });
  // The token says which strategy asked: the one whose state the session holds checks it.
  app.post('/callback', (req, res, next) => {
    const strategy = (req.session as unknown as { tokenType?: string }).tokenType === 'saml11' ? 'lanyard-thumbprint' : 'lanyard-cert';
    strategies.authenticate(strategy, { session: false, failWithError: true })(req, res, next);
  }, (req, res) => {
    (req.session as unknown as { user?: unknown }).user = req.user;
    res.redirect('/profile');
  });
  app.get('/expect-saml11', (req, res) => {
    (req.session as unknown as { tokenType?: string }).tokenType = 'saml11';
    res.redirect('/login-saml11');
  });
  app.get('/profile', (req, res) => {
    const user = (req.session as unknown as { user?: Record<string, unknown> }).user;
    if (!user) return res.status(401).type('html').send('<h1>Not signed in</h1>');
    const name = String(user[`${claims}/nameidentifier`] ?? '');
    res.type('html').send(`<!doctype html><title>Relying party</title><h1>Signed in to the relying party</h1>`
      + `<p id="name">${escapeHtml(name)}</p><pre id="profile">${escapeHtml(JSON.stringify(user))}</pre>`);
  });
  app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(401).type('html').send(`<h1>Sign-in refused</h1><p id="error">${escapeHtml(error.message)}</p>`);
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  return {
    url: origin,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The profile JSON the relying party shows. */
function profileOf(body: string): Record<string, unknown> {
  const json = /<pre id="profile">([\s\S]*?)<\/pre>/.exec(body)?.[1];
  if (!json) throw new Error(`the relying party shows no profile: ${textOf(body).slice(0, 300)}`);
  return JSON.parse(decodeEntities(json)) as Record<string, unknown>;
}

/** The signed assertion inside `wresult`, as the RequestedSecurityToken carries it. */
function assertionOf(wresult: string): string {
  const match = /<t:RequestedSecurityToken>([\s\S]*)<\/t:RequestedSecurityToken>/.exec(wresult);
  if (!match) throw new Error(`no RequestedSecurityToken in wresult: ${wresult.slice(0, 300)}`);
  return match[1]!;
}

/**
 * `xmlsec1 --verify` of a document with exactly the metadata certificate's key: only named keys are
 * enabled, so the certificate the signature carries in its KeyInfo is not what makes it pass.
 */
function xmlsecVerify(xml: string, certificatePem: string, version: '1.1' | '2.0'): { ok: boolean; output: string } {
  const file = (name: string, content: string) => {
    const path = join(workDir, `${Date.now()}-${Math.random().toString(36).slice(2)}-${name}`);
    writeFileSync(path, content);
    return path;
  };
  const idAttribute = version === '1.1'
    ? ['--id-attr:AssertionID', 'urn:oasis:names:tc:SAML:1.0:assertion:Assertion']
    : ['--id-attr:ID', 'urn:oasis:names:tc:SAML:2.0:assertion:Assertion'];
  const result = spawnSync('xmlsec1', ['--verify', '--enabled-key-data', 'key-name', '--pubkey-cert-pem', file('cert.pem', certificatePem),
    ...idAttribute, file('token.xml', xml)], { encoding: 'utf8' });
  if (result.error) throw result.error;
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

/**
 * One sign-in as a browser would make it, with one BrowserlessClient per origin: the relying
 * party's start URL (a redirect to Lanyard), Lanyard's sign-in, and the form Lanyard returns
 * posted to the relying party. Returns what was sent and the relying party's last answer.
 */
async function signInThroughRelyingParty(start: string) {
  const atRp = new BrowserlessClient(rp.url);
  const atLanyard = new BrowserlessClient(t.url);
  const first = await atRp.get(start);
  const toLanyard = first.final.location;
  if (first.final.status !== 302 || !toLanyard) throw new Error(`the relying party did not redirect: ${first.final.status} ${first.final.body.slice(0, 200)}`);
  const signIn = await samlSignIn(atLanyard, toLanyard, person);
  const form = postedForm(signIn);
  if (!form) throw new Error(`Lanyard posted nothing: ${signIn.final.status} ${textOf(signIn.final.body).slice(0, 300)}`);
  const back = await atRp.navigate(form.action, { method: 'POST', form: { ...form.fields } });
  return { request: new URL(toLanyard), form, back, atRp };
}

beforeAll(async () => {
  requireCommand('xmlsec1', ['--version'], 'xmlsec1');
  workDir = mkdtempSync(join(tmpdir(), 'lanyard-wsfed-'));
  t = await startLanyard();
  const call = api(t);
  const userId = await createUser(t, person.username, person.password, { firstName: person.firstName, lastName: person.lastName });
  for (const name of ['app-engineering', 'app-research', 'payroll']) {
    const group = await call('/api/v1/groups', { method: 'POST', json: { profile: { name } } });
    expect(group.status).toBe(200);
    expect((await call(`/api/v1/groups/${group.json.id}/users/${userId}`, { method: 'PUT' })).status).toBe(204);
  }
  const rpPort = await freePort();
  const created = await call('/api/v1/apps', {
    method: 'POST',
    json: {
      name: 'template_wsfed', label: 'Passport relying party', signOnMode: 'WS_FEDERATION',
      settings: {
        app: {
          realm, wReplyURL: `http://localhost:${rpPort}/callback`, wReplyOverride: false, usernameAttribute: 'upnAndUsername',
          attributeStatements: `givenname|\${user.firstName}|${claims},surname|\${user.lastName},department|Computing`,
          groupName: roleClaim, groupFilter: 'app-.*',
        },
      },
    },
  });
  expect(created.status, created.text).toBe(200);
  appId = created.json.id;
  expect((await call(`/api/v1/apps/${appId}/users`, { method: 'POST', json: { id: userId } })).status).toBe(200);
  passiveUrl = `${t.url}/app/template_wsfed/${appId}/sso/wsfed/passive`;
  const metadata = await fetch(`${t.url}/app/${appId}/sso/wsfed/metadata`);
  expect(metadata.status).toBe(200);
  metadataCertificate = certificateOf(await metadata.text());
  rp = await startRelyingParty(rpPort, metadataCertificate);
});

afterAll(async () => {
  await rp?.close();
  await t?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('passport-wsfed-saml2 as the relying party', () => {
  it('signs in with the app\'s SAML 2.0 token: passport accepts it, the relying party shows the user and the claims', async () => {
    const { request, form, back } = await signInThroughRelyingParty('/login');
    // The relying party asked as WS-Federation says: realm, sign-in action, its own context.
    expect(`${request.origin}${request.pathname}`).toBe(passiveUrl);
    expect(request.searchParams.get('wa')).toBe('wsignin1.0');
    expect(request.searchParams.get('wtrealm')).toBe(realm);
    const wctx = request.searchParams.get('wctx');
    expect(wctx).toMatch(/^\w{24}$/);

    // Lanyard posts to the registered reply URL, with wctx unchanged.
    expect(form.action).toBe(`${rp.url}/callback`);
    expect(form.fields.wa).toBe('wsignin1.0');
    expect(form.fields.wctx).toBe(wctx);
    expect(form.fields.wresult).toContain('<t:TokenType>urn:oasis:names:tc:SAML:2.0:assertion</t:TokenType>');

    // passport checked the signature, audience, lifetime, recipient and the wctx it stored.
    expect(back.final.url).toBe(`${rp.url}/profile`);
    expect(back.final.status).toBe(200);
    const profile = profileOf(back.final.body);
    expect(profile).toMatchObject({
      issuer: `http://www.okta.com/${appId}`,
      [`${claims}/nameidentifier`]: person.username,
      [`${claims}/name`]: person.username,
      [`${claims}/upn`]: person.username,
      [`${claims}/givenname`]: person.firstName,
      [`${claims}/surname`]: person.lastName,
      [`${claims}/department`]: 'Computing',
      [roleClaim]: ['app-engineering', 'app-research'],
      'http://schemas.microsoft.com/ws/2008/06/identity/claims/authenticationmethod': 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
    });
    expect(JSON.stringify(profile)).not.toContain('payroll');
  });

  it('the SAML 2.0 token verifies with xmlsec1 against the metadata certificate, and not once altered', async () => {
    const { form } = await signInThroughRelyingParty('/login');
    const assertion = assertionOf(form.fields.wresult!);
    expect(assertion).toMatch(/^<saml:Assertion [^>]*Version="2.0"/);
    const verified = xmlsecVerify(form.fields.wresult!, pem(metadataCertificate), '2.0');
    expect(verified.ok, verified.output).toBe(true);
    expect(verified.output).toContain('OK');
    const altered = form.fields.wresult!.replace(`>${person.username}</saml:NameID>`, '>admin@example.com</saml:NameID>');
    expect(altered).not.toBe(form.fields.wresult);
    expect(xmlsecVerify(altered, pem(metadataCertificate), '2.0').ok).toBe(false);
  });

  it('signs in with a SAML 1.1 token when the relying party asks for one in wreq, checked by thumbprint and by xmlsec1', async () => {
    const { request, form, back } = await signInThroughRelyingParty('/expect-saml11');
    expect(request.searchParams.get('wreq')).toBe(saml11Wreq);
    expect(form.fields.wctx).toBe(request.searchParams.get('wctx'));
    expect(form.fields.wresult).toContain('<t:TokenType>urn:oasis:names:tc:SAML:1.0:assertion</t:TokenType>');
    const assertion = assertionOf(form.fields.wresult!);
    expect(assertion).toMatch(/^<saml:Assertion [^>]*MajorVersion="1" MinorVersion="1"/);
    const verified = xmlsecVerify(form.fields.wresult!, pem(metadataCertificate), '1.1');
    expect(verified.ok, verified.output).toBe(true);

    expect(back.final.url).toBe(`${rp.url}/profile`);
    expect(profileOf(back.final.body)).toMatchObject({
      issuer: `http://www.okta.com/${appId}`,
      [`${claims}/nameidentifier`]: person.username,
      [`${claims}/upn`]: person.username,
      [`${claims}/givenname`]: person.firstName,
      [`${claims}/department`]: 'Computing',
      [roleClaim]: ['app-engineering', 'app-research'],
    });
  });

  it('refuses a token whose claims were changed after Lanyard signed it, and a wctx it did not send', async () => {
    const atRp = new BrowserlessClient(rp.url);
    const first = await atRp.get('/login');
    const signIn = await samlSignIn(new BrowserlessClient(t.url), first.final.location!, person);
    const form = postedForm(signIn) as PostedForm;
    const forged = form.fields.wresult!.replace(`>${person.firstName}</saml:AttributeValue>`, '>Mallory</saml:AttributeValue>');
    expect(forged).not.toBe(form.fields.wresult);
    const refused = await atRp.navigate(form.action, { method: 'POST', form: { ...form.fields, wresult: forged } });
    expect(refused.final.status).toBe(401);
    expect(textOf(refused.final.body)).toMatch(/signature/i);
    expect((await atRp.get('/profile')).final.status).toBe(401);

    // Lanyard's genuine token with another context: the relying party's state check fails.
    const again = await atRp.get('/login');
    const second = postedForm(await samlSignIn(new BrowserlessClient(t.url), again.final.location!, person)) as PostedForm;
    const wrongContext = await atRp.navigate(second.action, { method: 'POST', form: { ...second.fields, wctx: 'not-the-state-it-sent' } });
    expect(wrongContext.final.status).toBe(401);
    expect((await atRp.get('/profile')).final.status).toBe(401);
  });

  it('the metadata certificate is the app\'s current signing key', async () => {
    const keys = await api(t)(`/api/v1/apps/${appId}/credentials/keys`);
    expect(keys.status).toBe(200);
    const app = await api(t)(`/api/v1/apps/${appId}`);
    const kid = app.json.credentials.signing.kid;
    const key = (keys.json as Array<{ kid: string; x5c: string[] }>).find((k) => k.kid === kid);
    expect(key?.x5c[0]).toBe(metadataCertificate);
    expect(new X509Certificate(pem(metadataCertificate)).publicKey.asymmetricKeyType).toBe('rsa');
  });
});

describe('in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => browser?.close());

  it('a visitor of the relying party signs in on Lanyard\'s page and lands on the relying party, signed in', async () => {
    const context = await browser.newContext({ viewport: { width: 800, height: 640 } });
    try {
      const page = await context.newPage();
      await page.goto(`${rp.url}/login`);
      expect(new URL(page.url()).origin).toBe(t.url);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in');
      await screenshot(page, 'wsfed-passport-signin');
      await signInOnLanyardPage(page, person.username, person.password);
      await page.waitForURL(`${rp.url}/profile`, { timeout: 15_000 });
      await expect(page.locator('#name').textContent()).resolves.toBe(person.username);
      const profile = JSON.parse((await page.locator('#profile').textContent())!) as Record<string, unknown>;
      expect(profile[`${claims}/givenname`]).toBe(person.firstName);
      expect(profile[roleClaim]).toEqual(['app-engineering', 'app-research']);
      await screenshot(page, 'wsfed-passport-profile');

      // Lanyard's session holds: the next sign-in to the relying party goes through without the form.
      await page.goto(`${rp.url}/login`);
      await page.waitForURL(`${rp.url}/profile`, { timeout: 15_000 });
      await expect(page.locator('#name').textContent()).resolves.toBe(person.username);
    } finally {
      await context.close();
    }
  });
});
