/**
 * The home page lists the apps a person may open, and each app link (`/home/{appName}/{appId}`,
 * Okta's `_links.appLinks`) starts an IdP-initiated sign-in or opens the app.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';
import { BrowserlessClient, textOf } from '../helpers/browserless.ts';
import { createOidcApp, createUser } from '../helpers/oidc.ts';
import { acsUrl, createSamlApp, postedForm, samlSignIn, type TestSamlApp } from '../helpers/saml.ts';

let t: TestLanyard;
let call: ReturnType<typeof api>;
let saml: TestSamlApp;
let bookmarkId: string;
let oidcId: string;
let userId: string;
const person = { username: 'launch.person@example.com', password: 'Quiet-Lantern-Seven-7' };

beforeAll(async () => {
  t = await startLanyard();
  call = api(t);
  userId = await createUser(t, person.username, person.password);
  saml = await createSamlApp(t, { label: 'Payroll', assign: [userId] });
  const bookmark = await call('/api/v1/apps', { method: 'POST', json: { name: 'bookmark', label: 'Handbook', signOnMode: 'BOOKMARK', settings: { app: { url: 'https://handbook.example.test/' } } } });
  bookmarkId = bookmark.json.id;
  expect((await call(`/api/v1/apps/${bookmarkId}/users`, { method: 'POST', json: { id: userId } })).status).toBe(200);
  oidcId = (await createOidcApp(t, { label: 'Wiki', assign: [userId] })).id;
});
afterAll(async () => t?.close());

describe('the home page and app links', () => {
  it('lists the assigned apps by label, each with its app link from the Apps API', async () => {
    const browser = new BrowserlessClient(t.url);
    await samlSignIn(browser, '/login', person);
    const home = await browser.get('/');
    const section = /<section aria-labelledby="apps-heading" id="apps">([\s\S]*?)<\/section>/.exec(home.final.body)?.[1] ?? '';
    expect([...section.matchAll(/<span class="label">([^<]*)<\/span>/g)].map((m) => m[1])).toEqual(['Handbook', 'Payroll', 'Wiki']);
    const samlLink = (await call(`/api/v1/apps/${saml.id}`)).json._links.appLinks[0].href;
    expect(section).toContain(`href="${new URL(samlLink).pathname}"`);
  });

  it('a SAML app link starts an IdP-initiated sign-in; a bookmark opens its URL', async () => {
    const browser = new BrowserlessClient(t.url);
    const nav = await samlSignIn(browser, `/home/${saml.name}/${saml.id}`, person);
    expect(postedForm(nav)?.action).toBe(acsUrl);
    const bookmark = await browser.get(`/home/bookmark/${bookmarkId}`);
    expect(bookmark.final.location).toBe('https://handbook.example.test/');
  });

  it('an OIDC app without an initiate-login URI says it opens from its own site; unassigned and unknown apps are refused', async () => {
    const browser = new BrowserlessClient(t.url);
    await samlSignIn(browser, '/login', person);
    const oidc = await browser.get(`/home/oidc_client/${oidcId}`);
    expect(oidc.final.status).toBe(409);
    expect(textOf(oidc.final.body)).toContain('Wiki opens from its own site');
    expect((await call(`/api/v1/apps/${saml.id}/users/${userId}`, { method: 'DELETE' })).status).toBe(204);
    const refused = await browser.get(`/home/${saml.name}/${saml.id}`);
    expect(refused.final.status).toBe(403);
    expect(postedForm(refused)).toBeUndefined();
    expect((await browser.get(`/home/${saml.name}/0oaUnknownApp00000000`)).final.status).toBe(404);
    expect((await browser.get(`/home/wrong_name/${bookmarkId}`)).final.status).toBe(404);
  });

  it('sends a visitor without a session to sign in first, then on to the app', async () => {
    const browser = new BrowserlessClient(t.url);
    const first = await browser.get(`/home/bookmark/${bookmarkId}`);
    expect(first.final.url).toContain('/login?fromURI=');
  });
});
