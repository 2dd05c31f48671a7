/**
 * Authorization requests that must not succeed: unverified redirect URIs (an HTML page, never a
 * redirect), an omitted redirect_uri, public clients without PKCE, unknown scopes, users the app is
 * not assigned to, and users a custom server's access policy does not cover.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { startLanyard, api, type TestLanyard } from '../../helpers/lanyard.ts';
import { BrowserlessClient, textOf } from '../../helpers/browserless.ts';
import { createOidcApp, createUser, discover, type TestApp } from '../../helpers/oidc.ts';
import { systemCaller } from '../../../src/services/bootstrap.ts';
import { authorize, backToApp, codeRequest, firstOrg, person, redirectBack, visit } from './support.ts';

let t: TestLanyard;
let userId: string;
let app: TestApp;
let publicApp: TestApp;
const outsider = { username: 'outsider@example.com', password: 'Quiet-Lantern-Seven-7' };
let outsiderId: string;

beforeAll(async () => {
  t = await startLanyard();
  userId = await createUser(t, person.username, person.password);
  outsiderId = await createUser(t, outsider.username, outsider.password);
  app = await createOidcApp(t, { label: 'Confidential App', assign: [userId] });
  publicApp = await createOidcApp(t, {
    label: 'Single-Page App', assign: [userId],
    credentials: { token_endpoint_auth_method: 'none' },
    settings: { application_type: 'browser', grant_types: ['authorization_code'] },
  });
});
afterAll(async () => t?.close());

const servers = [
  ['org authorization server', () => t.url],
  ['default custom authorization server', () => `${t.url}/oauth2/default`],
] as const;

const redirectUriText = "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings";

describe.each(servers)('redirect URIs on the %s', (_name, issuerOf) => {
  it.each([
    ['another host', 'https://attacker.example.test/callback'],
    ['another path', 'https://app.example.test/callback/../admin'],
    ['a longer path', 'https://app.example.test/callback2'],
    ['an added query', 'https://app.example.test/callback?next=https://attacker.example.test'],
    ['another scheme', 'http://app.example.test/callback'],
    ['a user-info trick', 'https://app.example.test@attacker.example.test/callback'],
    ['a case change', 'https://APP.example.test/Callback'],
  ])('refuses %s with an HTML page and no redirect', async (_case, uri) => {
    const config = await discover(issuerOf(), app);
    const { params } = await codeRequest({ redirect_uri: uri });
    const browser = new BrowserlessClient(t.url);
    const nav = await visit(browser, client.buildAuthorizationUrl(config, params), person);
    expect(nav.final.status).toBe(400);
    expect(nav.final.location).toBeUndefined();
    expect(nav.final.headers.get('content-type')).toMatch(/^text\/html/);
    expect(textOf(nav.final.body)).toContain(redirectUriText);
    expect(nav.final.body).not.toContain('attacker.example.test');
  });

  it('refuses a request without redirect_uri even though the app has exactly one', async () => {
    const config = await discover(issuerOf(), app);
    const { params } = await codeRequest();
    const url = client.buildAuthorizationUrl(config, params);
    url.searchParams.delete('redirect_uri');
    const nav = await visit(new BrowserlessClient(t.url), url, person);
    expect(nav.final.status).toBe(400);
    expect(nav.final.location).toBeUndefined();
    expect(nav.final.headers.get('content-type')).toMatch(/^text\/html/);
    expect(textOf(nav.final.body)).toContain(redirectUriText);
  });

  it('refuses an unknown client_id with an HTML page and no redirect', async () => {
    const config = await discover(issuerOf(), app);
    const { params } = await codeRequest();
    const url = client.buildAuthorizationUrl(config, params);
    url.searchParams.set('client_id', '0oaNoSuchClient0000000');
    const nav = await visit(new BrowserlessClient(t.url), url);
    expect(nav.final.status).toBe(400);
    expect(nav.final.location).toBeUndefined();
    expect(textOf(nav.final.body)).not.toContain('Sign in');
  });

  it('sends the code to the registered redirect URI (control)', async () => {
    const config = await discover(issuerOf(), app);
    const { params } = await codeRequest();
    const callback = await authorize(new BrowserlessClient(t.url), client.buildAuthorizationUrl(config, params), person);
    expect(`${callback.origin}${callback.pathname}`).toBe('https://app.example.test/callback');
    expect(callback.searchParams.get('code')).toBeTruthy();
  });
});

describe.each(servers)('PKCE for public clients on the %s', (_name, issuerOf) => {
  it('refuses a public client\'s request without a code_challenge', async () => {
    const config = await discover(issuerOf(), publicApp, client.None());
    const { params } = await codeRequest();
    const url = client.buildAuthorizationUrl(config, params);
    url.searchParams.delete('code_challenge');
    url.searchParams.delete('code_challenge_method');
    const back = backToApp(new BrowserlessClient(t.url), await visit(new BrowserlessClient(t.url), url, person));
    expect(back.searchParams.get('code')).toBeNull();
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('refuses the plain code_challenge_method', async () => {
    const config = await discover(issuerOf(), publicApp, client.None());
    const { params } = await codeRequest({ code_challenge_method: 'plain', code_challenge: client.randomPKCECodeVerifier() });
    const back = backToApp(new BrowserlessClient(t.url), await visit(new BrowserlessClient(t.url), client.buildAuthorizationUrl(config, params), person));
    expect(back.searchParams.get('code')).toBeNull();
    expect(back.searchParams.get('error')).toBe('invalid_request');
  });

  it('a public client with PKCE gets tokens (control)', async () => {
    const config = await discover(issuerOf(), publicApp, client.None());
    const { params, checks } = await codeRequest();
    const callback = await authorize(new BrowserlessClient(t.url), client.buildAuthorizationUrl(config, params), person);
    const tokens = await client.authorizationCodeGrant(config, callback, checks);
    expect(tokens.claims()!.sub).toBe(userId);
  });
});

describe.each(servers)('scopes on the %s', (_name, issuerOf) => {
  it('refuses an unknown scope with invalid_scope at the app', async () => {
    const config = await discover(issuerOf(), app);
    const { params } = await codeRequest({ scope: 'openid email launch:missiles' });
    const back = backToApp(new BrowserlessClient(t.url), await visit(new BrowserlessClient(t.url), client.buildAuthorizationUrl(config, params), person));
    expect(back.searchParams.get('code')).toBeNull();
    expect(back.searchParams.get('error')).toBe('invalid_scope');
    expect(back.searchParams.get('error_description')).toBe('One or more scopes are not configured for the authorization server resource.');
    expect(back.searchParams.get('state')).toBe(params.state);
  });

  it('refuses an unknown scope pushed through PAR', async () => {
    const config = await discover(issuerOf(), app);
    const { params } = await codeRequest({ scope: 'openid launch:missiles' });
    const error = await client.buildAuthorizationUrlWithPAR(config, params).then(() => undefined, (e: { error?: string }) => e);
    expect(error?.error).toBe('invalid_scope');
  });
});

describe.each(servers)('a user the app is not assigned to, on the %s', (_name, issuerOf) => {
  it('sees a readable page, and the app gets access_denied when they leave it', async () => {
    const config = await discover(issuerOf(), app);
    const { params } = await codeRequest();
    const browser = new BrowserlessClient(t.url);
    const nav = await visit(browser, client.buildAuthorizationUrl(config, params), outsider);
    expect(redirectBack(browser, nav)).toBeUndefined();
    expect(nav.final.status).toBe(403);
    expect(textOf(nav.final.body)).toContain('User is not assigned to the client application.');

    const left = await browser.submit(nav.final, {});
    const back = backToApp(browser, left);
    expect(back.searchParams.get('code')).toBeNull();
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('error_description')).toBe('User is not assigned to the client application.');
    expect(back.searchParams.get('state')).toBe(params.state);
  });

  it('cannot skip the page by going straight back to the authorization endpoint', async () => {
    const config = await discover(issuerOf(), app);
    const browser = new BrowserlessClient(t.url);
    await visit(browser, client.buildAuthorizationUrl(config, (await codeRequest()).params), outsider);
    // Signed in now (SSO): a second request must be refused the same way, without a code.
    const second = await visit(browser, client.buildAuthorizationUrl(config, (await codeRequest()).params));
    expect(second.final.location ? new URL(second.final.location).searchParams.get('code') : null).toBeNull();
    expect(textOf(second.final.body)).toContain('User is not assigned to the client application.');
  });
});

describe('a custom authorization server whose policy does not cover the user', () => {
  it('answers access_denied with Okta\'s policy text, and the org server is unaffected', async () => {
    const org = await firstOrg(t);
    const caller = systemCaller(org);
    const repo = t.lanyard.store.forOrg(org.id).authorizationServers;
    const [policy] = await repo.policies.list('default');
    const rule = (await repo.rules.list('default')).find((r) => r.policyId === policy!.id)!;
    const group = await api(t)('/api/v1/groups', { method: 'POST', json: { profile: { name: 'Pilots', description: 'not our user' } } });
    expect(group.status).toBe(200);
    const { id: _id, policyId: _p, type: _type, system: _system, ...ruleInput } = rule;
    await t.lanyard.services.authorizationServers.saveRule(caller, 'default', policy!.id, {
      ...ruleInput, conditions: { ...rule.conditions, people: { groups: { include: [group.json.id], exclude: [] } } },
    }, rule.id);
    try {
      const config = await discover(`${t.url}/oauth2/default`, app);
      const { params } = await codeRequest();
      const back = backToApp(new BrowserlessClient(t.url), await visit(new BrowserlessClient(t.url), client.buildAuthorizationUrl(config, params), person));
      expect(back.searchParams.get('code')).toBeNull();
      expect(back.searchParams.get('error')).toBe('access_denied');
      expect(back.searchParams.get('error_description')).toBe('Policy evaluation failed for this request, please check the policy configurations.');

      const orgConfig = await discover(t.url, app);
      const request = await codeRequest();
      const tokens = await client.authorizationCodeGrant(orgConfig,
        await authorize(new BrowserlessClient(t.url), client.buildAuthorizationUrl(orgConfig, request.params), person), request.checks);
      expect(tokens.claims()!.sub).toBe(userId);
    } finally {
      await t.lanyard.services.authorizationServers.saveRule(caller, 'default', policy!.id, ruleInput, rule.id);
    }
  });

  it('stops refreshing tokens issued before the policy changed', async () => {
    const org = await firstOrg(t);
    const caller = systemCaller(org);
    const repo = t.lanyard.store.forOrg(org.id).authorizationServers;
    const config = await discover(`${t.url}/oauth2/default`, app);
    const request = await codeRequest({ scope: 'openid offline_access' });
    const tokens = await client.authorizationCodeGrant(config,
      await authorize(new BrowserlessClient(t.url), client.buildAuthorizationUrl(config, request.params), person), request.checks);
    const [policy] = await repo.policies.list('default');
    const rule = (await repo.rules.list('default')).find((r) => r.policyId === policy!.id)!;
    const { id: _id, policyId: _p, type: _type, system: _system, ...ruleInput } = rule;
    await t.lanyard.services.authorizationServers.saveRule(caller, 'default', policy!.id, {
      ...ruleInput, conditions: { ...rule.conditions, people: { users: { include: [outsiderId], exclude: [] }, groups: { include: [], exclude: [] } } },
    }, rule.id);
    try {
      const refused = await client.refreshTokenGrant(config, tokens.refresh_token!).then(() => undefined, (e: { error?: string; error_description?: string }) => e);
      expect(refused?.error).toBe('access_denied');
      expect(refused?.error_description).toBe('Policy evaluation failed for this request, please check the policy configurations.');
    } finally {
      await t.lanyard.services.authorizationServers.saveRule(caller, 'default', policy!.id, ruleInput, rule.id);
    }
  });
});
