/**
 * MFA in sign-in, decided by sign-on policies made through Okta's Policy and Network Zones APIs:
 * the classic authentication API answers MFA_REQUIRED or MFA_ENROLL and completes with a factor;
 * the sign-in pages ask for the factor (or its set-up) before any session exists; an app whose
 * sign-on policy wants two factors sends a signed-in user to a step-up, and its tokens and
 * assertions say so (`amr`, `acr`, `AuthnContextClassRef`); a denied network zone is refused
 * clearly; factor attempts are throttled. An independent TOTP implementation (`otpauth`) plays
 * the authenticator app, `openid-client` the OpenID Connect app, `@node-saml/node-saml` the SAML one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as OTPAuth from 'otpauth';
import * as client from 'openid-client';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';
import { BrowserlessClient, csrfOf, type Navigation } from '../helpers/browserless.ts';
import { createOidcApp, createUser, discover, redirectUri, type TestApp } from '../helpers/oidc.ts';
import { acsUrl, createSamlApp, postedForm, spEntityId } from '../helpers/saml.ts';

const password = 'Quiet-Lantern-Seven-7';
let t: TestLanyard;
let call: ReturnType<typeof api>;
let mfaGroupId: string;

function authenticator(secret: string) {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
}

async function ok<T = any>(path: string, init?: Parameters<ReturnType<typeof api>>[1]): Promise<T> {
  const response = await call(path, init);
  if (response.status >= 300) throw new Error(`${init?.method ?? 'GET'} ${path}: ${response.status} ${response.text}`);
  return response.json as T;
}

/** A user with an active TOTP factor; the authenticator app that holds its secret. */
async function userWithTotp(login: string, groupIds: string[] = []) {
  const userId = await createUser(t, login, password);
  for (const g of groupIds) await ok(`/api/v1/groups/${g}/users/${userId}`, { method: 'PUT' });
  const factor = await ok(`/api/v1/users/${userId}/factors`, { method: 'POST', json: { factorType: 'token:software:totp', provider: 'GOOGLE' } });
  const app = authenticator(factor._embedded.activation.sharedSecret);
  await ok(`/api/v1/users/${userId}/factors/${factor.id}/lifecycle/activate`, { method: 'POST', json: { passCode: app.generate() } });
  // The activation used this step; the next step's code is the one a sign-in can use.
  return { id: userId, login, factorId: factor.id as string, nextCode: () => app.generate({ timestamp: Date.now() + 30_000 }) };
}

async function authn(body: Record<string, unknown>, path = '/api/v1/authn', ip = '192.0.2.10') {
  const response = await fetch(`${t.url}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() as any, headers: response.headers };
}

const local = (href: string) => href.replace(/^https?:\/\/[^/]+/, t.url);

beforeAll(async () => {
  t = await startLanyard({ env: { LANYARD_TRUST_PROXY: 'true', LANYARD_THROTTLE_FACTOR_PER_MINUTE: '4' } });
  call = api(t);
  mfaGroupId = (await ok('/api/v1/groups', { method: 'POST', json: { profile: { name: 'Needs MFA' } } })).id;
  // Okta's shape: an OKTA_SIGN_ON policy for the group, whose rule requires a factor.
  const policy = await ok('/api/v1/policies', {
    method: 'POST',
    json: { type: 'OKTA_SIGN_ON', name: 'MFA for the MFA group', status: 'ACTIVE', priority: 1, conditions: { people: { groups: { include: [mfaGroupId] } } } },
  });
  await ok(`/api/v1/policies/${policy.id}/rules`, {
    method: 'POST',
    json: {
      type: 'SIGN_ON', name: 'Always a second factor', status: 'ACTIVE', priority: 1,
      conditions: { network: { connection: 'ANYWHERE' } },
      actions: { signon: { access: 'ALLOW', requireFactor: true, factorPromptMode: 'ALWAYS', factorLifetime: 15 } },
    },
  });
});
afterAll(async () => t?.close());

describe('/api/v1/authn with a policy that requires MFA', () => {
  it('MFA_REQUIRED lists the factor; a wrong code is refused; the right one gives a session token whose session says mfa', async () => {
    const person = await userWithTotp('authn.mfa@example.com', [mfaGroupId]);
    const first = await authn({ username: person.login, password });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ status: 'MFA_REQUIRED', _embedded: { user: { id: person.id } } });
    expect(first.json.sessionToken).toBeUndefined();
    const [factor] = first.json._embedded.factors;
    expect(factor).toMatchObject({ id: person.factorId, factorType: 'token:software:totp', provider: 'GOOGLE' });
    const verify = local(factor._links.verify.href);

    const wrong = await authn({ stateToken: first.json.stateToken, passCode: '000000' }, new URL(verify).pathname);
    expect(wrong.status).toBe(403);
    expect(wrong.json.errorCode).toBe('E0000068');
    // The state still stands after a wrong code.
    expect((await authn({ stateToken: first.json.stateToken })).json.status).toBe('MFA_REQUIRED');

    const done = await authn({ stateToken: first.json.stateToken, passCode: person.nextCode() }, new URL(verify).pathname);
    expect(done.status).toBe(200);
    expect(done.json.status).toBe('SUCCESS');
    const session = await fetch(`${t.url}/api/v1/sessions`, {
      method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ sessionToken: done.json.sessionToken }),
    });
    expect(session.status).toBe(200);
    expect((await session.json() as any).amr).toEqual(expect.arrayContaining(['pwd', 'mfa', 'otp']));
    // The state token is used up.
    expect((await authn({ stateToken: first.json.stateToken, passCode: person.nextCode() }, new URL(verify).pathname)).status).toBe(403);
  });

  it('users outside the policy\'s group sign in with the password alone', async () => {
    const person = await userWithTotp('authn.onefactor@example.com');
    const result = await authn({ username: person.login, password });
    expect(result.json.status).toBe('SUCCESS');
  });

  it('MFA_ENROLL for someone without a factor: enrol, scan, activate, signed in', async () => {
    const userId = await createUser(t, 'authn.enroll@example.com', password);
    await ok(`/api/v1/groups/${mfaGroupId}/users/${userId}`, { method: 'PUT' });
    const first = await authn({ username: 'authn.enroll@example.com', password });
    expect(first.json.status).toBe('MFA_ENROLL');
    const option = first.json._embedded.factors.find((f: any) => f.factorType === 'token:software:totp' && f.provider === 'GOOGLE');
    expect(option).toMatchObject({ status: 'NOT_SETUP', enrollment: 'REQUIRED' });
    const enrolled = await authn({ stateToken: first.json.stateToken, factorType: 'token:software:totp', provider: 'GOOGLE' }, new URL(local(option._links.enroll.href)).pathname);
    expect(enrolled.status).toBe(200);
    expect(enrolled.json.status).toBe('MFA_ENROLL_ACTIVATE');
    const activation = enrolled.json._embedded.factor._embedded.activation;
    expect(activation._links.qrcode.href).toMatch(/^data:image\/png;base64,/);
    const code = authenticator(activation.sharedSecret).generate();
    const done = await authn({ stateToken: first.json.stateToken, passCode: code }, new URL(local(enrolled.json._links.next.href)).pathname);
    expect(done.json.status).toBe('SUCCESS');
    expect((await ok(`/api/v1/users/${userId}/factors`)).map((f: any) => f.status)).toEqual(['ACTIVE']);
  });

  it('factor attempts are throttled per user with 429 and Retry-After', async () => {
    const person = await userWithTotp('authn.throttle@example.com', [mfaGroupId]);
    const first = await authn({ username: person.login, password });
    const path = `/api/v1/authn/factors/${person.factorId}/verify`;
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await authn({ stateToken: first.json.stateToken, passCode: '111111' }, path)).status);
    expect(statuses).toEqual([403, 403, 403, 403, 429]);
    const throttled = await authn({ stateToken: first.json.stateToken, passCode: person.nextCode() }, path);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(throttled.json.errorCode).toBe('E0000047');
  });
});

/** Signs in on Lanyard's page: the password, then (when asked) the code. */
async function signInOnPage(browser: BrowserlessClient, start: string, login: string, code?: () => string): Promise<Navigation> {
  let nav = await browser.get(start);
  if (/name="password"/.test(nav.final.body)) {
    nav = await browser.submit(nav.final, { csrf: csrfOf(nav.final.body), username: login, password });
  }
  if (code && /name="passCode"/.test(nav.final.body)) {
    expect(nav.final.body).toContain('Verify it');
    nav = await browser.submit(nav.final, { passCode: code() });
  }
  return nav;
}

describe('sign-in pages', () => {
  it('ask for the code before there is any session; a wrong code keeps asking; the right one signs in', async () => {
    const person = await userWithTotp('page.mfa@example.com', [mfaGroupId]);
    const browser = new BrowserlessClient(t.url);
    const login = await browser.get('/login');
    const afterPassword = await browser.submit(login.final, { csrf: csrfOf(login.final.body), username: person.login, password });
    expect(afterPassword.final.status).toBe(200);
    expect(afterPassword.final.body).toContain('name="passCode"');
    expect(browser.cookie('lanyard_sid')).toBeUndefined();
    expect((await browser.get('/')).final.url).toMatch(/\/login$/);

    const again = await browser.get('/login');
    const retry = await browser.submit(again.final, { csrf: csrfOf(again.final.body), username: person.login, password });
    const wrong = await browser.submit(retry.final, { passCode: '000000' });
    expect(wrong.final.status).toBe(401);
    expect(wrong.final.body).toContain('role="alert"');
    const done = await browser.submit(wrong.final, { passCode: person.nextCode() });
    expect(done.final.status).toBe(200);
    expect(done.final.url).toBe(`${t.url}/`);
    const me = await browser.request('/api/v1/sessions/me', { headers: { accept: 'application/json' } });
    expect(JSON.parse(me.body).amr).toEqual(expect.arrayContaining(['pwd', 'mfa', 'otp']));
  });

  it('someone without a factor sets up an authenticator app from the QR page, then lands signed in', async () => {
    const userId = await createUser(t, 'page.enroll@example.com', password);
    await ok(`/api/v1/groups/${mfaGroupId}/users/${userId}`, { method: 'PUT' });
    const browser = new BrowserlessClient(t.url);
    const afterPassword = await signInOnPage(browser, '/login', 'page.enroll@example.com');
    expect(afterPassword.final.body).toContain('Set up a second factor');
    expect(afterPassword.final.body).toContain('Security key or passkey');
    const setup = await browser.submit(afterPassword.final, { factorType: 'token:software:totp', provider: 'GOOGLE' });
    expect(setup.final.body).toMatch(/<img src="data:image\/png;base64,/);
    const key = /class="secret">([A-Z2-7 ]+)</.exec(setup.final.body)![1]!.replace(/ /g, '');
    const done = await browser.submit(setup.final, { passCode: authenticator(key).generate() });
    expect(done.final.status).toBe(200);
    const me = await browser.request('/api/v1/sessions/me', { headers: { accept: 'application/json' } });
    expect(JSON.parse(me.body).amr).toContain('mfa');
  });
});

describe('an app that requires two factors', () => {
  let oidcApp: TestApp;
  let config: client.Configuration;

  beforeAll(async () => {
    oidcApp = await createOidcApp(t, { label: 'Two-factor app' });
    config = await discover(`${t.url}/oauth2/default`, oidcApp);
    const policy = await ok('/api/v1/policies', { method: 'POST', json: { type: 'ACCESS_POLICY', name: 'Two factors' } });
    await ok(`/api/v1/policies/${policy.id}/rules`, {
      method: 'POST',
      json: {
        type: 'ACCESS_POLICY', name: '2FA every two hours', priority: 1,
        actions: { appSignOn: { access: 'ALLOW', verificationMethod: { type: 'ASSURANCE', factorMode: '2FA', reauthenticateIn: 'PT2H' } } },
      },
    });
    await ok(`/api/v1/apps/${oidcApp.id}/policies/${policy.id}`, { method: 'PUT' });
  });

  async function codeFlow(browser: BrowserlessClient, login: string, code?: () => string, extra: Record<string, string> = {}) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: 'openid profile', state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
    });
    const nav = await signInOnPage(browser, url.href, login, code);
    const location = nav.final.location;
    if (!location || !location.startsWith(redirectUri)) throw new Error(`no redirect to the app: ${nav.final.status} ${nav.final.url} ${nav.final.body.slice(0, 400)}`);
    const tokens = await client.authorizationCodeGrant(config, new URL(location), { pkceCodeVerifier: verifier, expectedState: state });
    return tokens.claims()!;
  }

  it('a user of the one-factor org policy is asked for the code by the app\'s policy; the ID token says amr mfa and acr 2fa', async () => {
    const person = await userWithTotp('oidc.mfa@example.com');
    await ok(`/api/v1/apps/${oidcApp.id}/users`, { method: 'POST', json: { id: person.id } });
    const claims = await codeFlow(new BrowserlessClient(t.url), person.login, person.nextCode);
    expect(claims.amr).toEqual(expect.arrayContaining(['pwd', 'mfa', 'otp']));
    expect(claims.acr).toBe('urn:okta:loa:2fa:any');
  });

  it('a session signed in with the password alone steps up when it reaches the app', async () => {
    const person = await userWithTotp('oidc.stepup@example.com');
    await ok(`/api/v1/apps/${oidcApp.id}/users`, { method: 'POST', json: { id: person.id } });
    const browser = new BrowserlessClient(t.url);
    await signInOnPage(browser, '/login', person.login);
    expect(browser.cookie('lanyard_sid')).toBeDefined();
    const claims = await codeFlow(browser, person.login, person.nextCode);
    expect(claims.amr).toContain('mfa');
  });

  it('an app without such a policy gets one factor: amr pwd, acr 1fa; acr_values can ask for two', async () => {
    const plain = await createOidcApp(t, { label: 'One-factor app' });
    const plainConfig = await discover(`${t.url}/oauth2/default`, plain);
    const person = await userWithTotp('oidc.plain@example.com');
    await ok(`/api/v1/apps/${plain.id}/users`, { method: 'POST', json: { id: person.id } });
    const browser = new BrowserlessClient(t.url);
    const saved = config;
    config = plainConfig;
    try {
      const one = await codeFlow(browser, person.login);
      expect(one.amr).toEqual(['pwd']);
      expect(one.acr).toBe('urn:okta:loa:1fa:pwd');
      const two = await codeFlow(browser, person.login, person.nextCode, { acr_values: 'urn:okta:loa:2fa:any' });
      expect(two.amr).toContain('mfa');
      expect(two.acr).toBe('urn:okta:loa:2fa:any');
    } finally {
      config = saved;
    }
  });

  it('a SAML app with the policy asks for the code and asserts the multi-factor class', async () => {
    const person = await userWithTotp('saml.mfa@example.com');
    const saml = await createSamlApp(t, { label: 'Two-factor SAML', assign: [person.id] });
    const policyId = (await ok('/api/v1/policies?type=ACCESS_POLICY')).find((p: any) => p.name === 'Two factors').id;
    await ok(`/api/v1/apps/${saml.id}/policies/${policyId}`, { method: 'PUT' });
    const sp = new SAML({ entryPoint: saml.ssoUrl, issuer: spEntityId, callbackUrl: acsUrl, idpCert: saml.certificate, audience: spEntityId, wantAuthnResponseSigned: false, validateInResponseTo: ValidateInResponseTo.never });
    const browser = new BrowserlessClient(t.url);
    const nav = await signInOnPage(browser, saml.ssoUrl, person.login, person.nextCode);
    const form = postedForm(nav);
    expect(form?.action).toBe(acsUrl);
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: form!.fields.SAMLResponse! });
    expect(profile?.nameID).toBe(person.login);
    const xml = Buffer.from(form!.fields.SAMLResponse!, 'base64').toString('utf8');
    expect(xml).toContain('<saml:AuthnContextClassRef>http://schemas.microsoft.com/claims/multipleauthn</saml:AuthnContextClassRef>');
  });
});

describe('network zones', () => {
  it('a rule denying a zone refuses sign-in from it, on the page and the API, and allows it from elsewhere', async () => {
    const zone = await ok('/api/v1/zones', { method: 'POST', json: { type: 'IP', name: 'Blocked lab', gateways: [{ type: 'CIDR', value: '198.51.100.0/24' }] } });
    const everyone = (await ok('/api/v1/groups?q=Everyone'))[0].id;
    const policy = await ok('/api/v1/policies', {
      method: 'POST', json: { type: 'OKTA_SIGN_ON', name: 'No lab sign-ins', status: 'ACTIVE', priority: 1, conditions: { people: { groups: { include: [everyone] } } } },
    });
    await ok(`/api/v1/policies/${policy.id}/rules`, {
      method: 'POST',
      json: {
        type: 'SIGN_ON', name: 'Deny the lab', priority: 1,
        conditions: { network: { connection: 'ZONE', include: [zone.id] } }, actions: { signon: { access: 'DENY' } },
      },
    });
    const userId = await createUser(t, 'zone.user@example.com', password);
    const refused = await authn({ username: 'zone.user@example.com', password }, '/api/v1/authn', '198.51.100.7');
    expect(refused.status).toBe(403);
    expect(refused.json.errorCode).toBe('E0000006');
    expect(refused.json.errorCauses[0].errorSummary).toMatch(/sign-on policy/);
    expect((await authn({ username: 'zone.user@example.com', password }, '/api/v1/authn', '203.0.113.9')).json.status).toBe('SUCCESS');

    const page = await fetch(`${t.url}/login`);
    const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const denied = await fetch(`${t.url}/login`, {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'x-forwarded-for': '198.51.100.8' },
      body: new URLSearchParams({ csrf: csrfOf(await page.text()), username: 'zone.user@example.com', password }),
    });
    expect(denied.status).toBe(403);
    expect(await denied.text()).toContain('sign-on policy');
    const logs = await ok(`/api/v1/logs?filter=${encodeURIComponent('eventType eq "policy.evaluate_sign_on"')}`);
    expect(logs.some((e: any) => e.outcome.result === 'DENY' && e.target?.some((x: any) => x.id === userId))).toBe(true);
  });
});
