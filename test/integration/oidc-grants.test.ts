/**
 * Consents (grants) as an administrator sees and revokes them, the /oauth2 rate-limit buckets, and
 * token exchange and CIBA end to end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';
import { BrowserlessClient, csrfOf, textOf } from '../helpers/browserless.ts';
import { codeFlow, createOidcApp, createUser, discover, type TestApp } from '../helpers/oidc.ts';

let t: TestLanyard;
let call: ReturnType<typeof api>;
let app: TestApp;
let userId: string;
const person = { username: 'grants.user@example.com', password: 'Quiet-Lantern-Seven-7' };

beforeAll(async () => {
  t = await startLanyard();
  call = api(t);
  userId = await createUser(t, person.username, person.password);
  app = await createOidcApp(t, { assign: [userId] });
});
afterAll(async () => t?.close());

describe('grants an administrator sees and revokes', () => {
  it('lists one grant per scope, and revoking them kills the tokens issued under them', async () => {
    const config = await discover(`${t.url}/oauth2/default`, app);
    const tokens = await codeFlow(config, new BrowserlessClient(t.url), person, 'openid email offline_access');
    const grants = await call(`/api/v1/users/${userId}/grants`);
    expect(grants.status).toBe(200);
    expect(grants.json.map((g: any) => g.scopeId).sort()).toEqual(['email', 'offline_access', 'openid']);
    expect(grants.json[0]).toMatchObject({ clientId: app.clientId, userId, status: 'ACTIVE', issuer: `${t.url}/oauth2/default` });

    const clients = await call(`/api/v1/users/${userId}/clients`);
    expect(clients.json.map((c: any) => c.client_id)).toEqual([app.clientId]);

    const one = grants.json.find((g: any) => g.scopeId === 'email');
    expect((await call(`/api/v1/users/${userId}/grants/${one.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/api/v1/users/${userId}/grants`)).json.map((g: any) => g.scopeId).sort()).toEqual(['offline_access', 'openid']);
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(true);

    expect((await call(`/api/v1/users/${userId}/clients/${app.clientId}/grants`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/api/v1/users/${userId}/grants`)).json).toEqual([]);
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toThrow();
  });

  it('revokes OAuth tokens with the sessions when asked', async () => {
    const config = await discover(t.url, app);
    const tokens = await codeFlow(config, new BrowserlessClient(t.url), person, 'openid offline_access');
    expect((await call(`/api/v1/users/${userId}/sessions?oauthTokens=true`, { method: 'DELETE' })).status).toBe(204);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toThrow();
  });
});

describe('grants the user sees and revokes on their home page', () => {
  it('lists the apps with their scopes; Revoke (with the form\'s CSRF token) takes the consents and tokens back', async () => {
    const config = await discover(`${t.url}/oauth2/default`, app);
    const browser = new BrowserlessClient(t.url);
    const tokens = await codeFlow(config, browser, person, 'openid email offline_access');
    const home = await browser.get('/');
    const section = /<section aria-labelledby="connected-heading" id="connected">([\s\S]*?)<\/section>/.exec(home.final.body)?.[1];
    expect(section).toBeDefined();
    expect(textOf(section!)).toContain('Test App openid, email, offline_access Revoke');

    // A form post without the page's CSRF token changes nothing.
    const forged = await browser.request(`/grants/${app.clientId}/revoke`, { form: { csrf: 'not-the-token' } });
    expect(forged.status).toBe(403);
    expect((await call(`/api/v1/users/${userId}/grants`)).json).not.toEqual([]);

    const revoked = await browser.submit(home.final, {}, { action: `/grants/${app.clientId}/revoke` });
    expect(revoked.final.url).toBe(`${t.url}/`);
    expect(revoked.final.body).toContain('No app acts for you.');
    expect((await call(`/api/v1/users/${userId}/grants`)).json).toEqual([]);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});

describe('rate limits of the protocol endpoints', () => {
  it('counts the token endpoint in the oauth2 bucket and leaves keys and discovery unlimited', async () => {
    const token = await fetch(`${t.url}/oauth2/default/v1/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials' }) });
    expect(token.headers.get('x-rate-limit-limit')).toBe('2000');
    const keys = await fetch(`${t.url}/oauth2/default/v1/keys`);
    expect(keys.status).toBe(200);
    expect(keys.headers.get('x-rate-limit-limit')).toBeNull();
    const discovery = await fetch(`${t.url}/oauth2/default/.well-known/openid-configuration`);
    expect(discovery.headers.get('x-rate-limit-limit')).toBeNull();
  });
});

describe('token exchange (RFC 8693) on behalf of a user', () => {
  it('lets an API exchange the token it received for one of its own, for the same user', async () => {
    const scope = await call('/api/v1/authorizationServers/default/scopes', { method: 'POST', json: { name: 'orders:read' } });
    expect([200, 201]).toContain(scope.status);
    const api_ = await createOidcApp(t, {
      label: 'Orders API',
      settings: { application_type: 'service', grant_types: ['client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange'], redirect_uris: [], response_types: undefined },
    });
    const config = await discover(`${t.url}/oauth2/default`, app);
    const user = await codeFlow(config, new BrowserlessClient(t.url), person, 'openid orders:read');
    const apiConfig = await discover(`${t.url}/oauth2/default`, api_);
    const exchanged = await client.genericGrantRequest(apiConfig, 'urn:ietf:params:oauth:grant-type:token-exchange', {
      subject_token: user.access_token, subject_token_type: 'urn:ietf:params:oauth:token-type:access_token', scope: 'orders:read', audience: 'api://default',
    });
    expect(exchanged.issued_token_type).toBe('urn:ietf:params:oauth:token-type:access_token');
    const claims = JSON.parse(Buffer.from(exchanged.access_token.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({ uid: userId, cid: api_.clientId, scp: ['orders:read'], sub: person.username });
    await expect(client.genericGrantRequest(apiConfig, 'urn:ietf:params:oauth:grant-type:token-exchange', {
      subject_token: `${user.access_token.slice(0, -4)}AAAA`, subject_token_type: 'urn:ietf:params:oauth:token-type:access_token', scope: 'orders:read',
    })).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});

describe('CIBA in poll mode', () => {
  it('waits for the user to approve on their Lanyard page, then issues tokens', async () => {
    const ciba = await createOidcApp(t, {
      label: 'Kiosk',
      settings: { grant_types: ['urn:openid:params:grant-type:ciba'], redirect_uris: [], response_types: undefined },
    });
    const assigned = await call(`/api/v1/apps/${ciba.id}/users`, { method: 'POST', json: { id: userId } });
    expect(assigned.status).toBe(200);
    const config = await discover(`${t.url}/oauth2/default`, ciba);
    const started = await client.initiateBackchannelAuthentication(config, { scope: 'openid email', login_hint: person.username, binding_message: 'K-42' });
    const pending = await fetch(`${t.url}/oauth2/default/v1/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${ciba.clientId}:${ciba.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: started.auth_req_id }),
    });
    expect(pending.status).toBe(400);
    expect(((await pending.json()) as { error?: string }).error).toBe('authorization_pending');

    const browser = new BrowserlessClient(t.url);
    const login = await browser.get('/login');
    await browser.submit(login.final, { csrf: csrfOf(login.final.body), username: person.username, password: person.password });
    const home = await browser.get('/');
    expect(home.final.body).toContain('Kiosk');
    expect(home.final.body).toContain('K-42');
    const cibaAction = /<form method="post" action="(\/ciba\/[^"]+)">/.exec(home.final.body)?.[1];
    const approved = await browser.submit(home.final, { decision: 'approve' }, { action: cibaAction! });
    expect(approved.final.body).toContain('Sign-in approved');

    const tokens = await client.pollBackchannelAuthenticationGrant(config, { ...started, interval: 0.1 } as never);
    expect(tokens.claims()!.sub).toBe(userId);
  });
});
