/**
 * What an admin's change does to tokens already out there: a deactivated app's tokens stop
 * working at once and for good (Okta: "Reactivating the client doesn't make the token valid
 * again"), and a user removed from an app can no longer refresh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { BrowserlessClient } from '../../helpers/browserless.ts';
import { createOidcApp, createUser, discover, type TestApp } from '../../helpers/oidc.ts';
import { authorize, codeRequest, failure, person, visit } from './support.ts';

let t: TestLanyard;
let userId: string;
/** A second client of the same org, to introspect another client's tokens. */
let observer: TestApp;

beforeAll(async () => {
  t = await startLanyard();
  userId = await createUser(t, person.username, person.password);
  observer = await createOidcApp(t, { label: 'Observer', assign: [userId] });
});
afterAll(async () => t?.close());

const servers = [
  ['org authorization server', () => t.url],
  ['default custom authorization server', () => `${t.url}/oauth2/default`],
] as const;

async function signedIn(config: client.Configuration) {
  const { params, checks } = await codeRequest({ scope: 'openid profile offline_access' });
  return client.authorizationCodeGrant(config, await authorize(new BrowserlessClient(t.url), client.buildAuthorizationUrl(config, params), person), checks);
}

const lifecycle = (appId: string, op: 'activate' | 'deactivate') => api(t)(`/api/v1/apps/${appId}/lifecycle/${op}`, { method: 'POST' });

describe.each(servers)('a deactivated app on the %s', (_name, issuerOf) => {
  it('its tokens stop working and it cannot start new flows', async () => {
    const app = await createOidcApp(t, { label: 'Soon Inactive', assign: [userId] });
    const config = await discover(issuerOf(), app);
    const observerConfig = await discover(issuerOf(), observer);
    const tokens = await signedIn(config);
    expect((await client.fetchUserInfo(config, tokens.access_token, userId)).sub).toBe(userId);

    expect((await lifecycle(app.id, 'deactivate')).status).toBe(200);

    const userinfo = await fetch(config.serverMetadata().userinfo_endpoint!, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(userinfo.status).toBe(401);
    expect(await client.tokenIntrospection(observerConfig, tokens.access_token)).toEqual({ active: false });
    expect(await client.tokenIntrospection(observerConfig, tokens.refresh_token!)).toEqual({ active: false });
    const refresh = await failure(() => client.refreshTokenGrant(config, tokens.refresh_token!));
    expect(refresh).toMatchObject({ error: 'invalid_client', status: 401 });

    const nav = await visit(new BrowserlessClient(t.url), client.buildAuthorizationUrl(config, (await codeRequest()).params), person);
    expect(nav.final.status).toBe(400);
    expect(nav.final.location).toBeUndefined();
  });

  it('reactivating it does not make its old tokens valid again', async () => {
    const app = await createOidcApp(t, { label: 'Reactivated', assign: [userId] });
    const config = await discover(issuerOf(), app);
    const observerConfig = await discover(issuerOf(), observer);
    const tokens = await signedIn(config);
    expect((await lifecycle(app.id, 'deactivate')).status).toBe(200);
    expect((await lifecycle(app.id, 'activate')).status).toBe(200);

    const userinfo = await fetch(config.serverMetadata().userinfo_endpoint!, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(userinfo.status).toBe(401);
    expect(await client.tokenIntrospection(observerConfig, tokens.access_token)).toEqual({ active: false });
    expect((await client.tokenIntrospection(config, tokens.refresh_token!)).active).toBe(false);
    expect((await failure(() => client.refreshTokenGrant(config, tokens.refresh_token!))).error).toBe('invalid_grant');

    // New sign-ins work again.
    expect((await signedIn(config)).claims()!.sub).toBe(userId);
  });
});

describe.each(servers)('a user unassigned from an app on the %s', (_name, issuerOf) => {
  it('can no longer refresh the tokens issued while assigned', async () => {
    const app = await createOidcApp(t, { label: 'Unassign Me', assign: [userId] });
    const config = await discover(issuerOf(), app);
    const tokens = await signedIn(config);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);

    const removed = await api(t)(`/api/v1/apps/${app.id}/users/${userId}`, { method: 'DELETE' });
    expect(removed.status).toBeLessThan(300);

    const refused = await failure(() => client.refreshTokenGrant(config, refreshed.refresh_token!));
    expect(refused.error).toBe('access_denied');
    expect(refused.description).toBe('User is not assigned to the client application.');
    expect(refused.status).toBe(400);
  });
});
