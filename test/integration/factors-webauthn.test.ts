/**
 * WebAuthn factors with a real software authenticator: Debian's Chromium with the DevTools
 * protocol's virtual authenticator (CTAP2 over USB, user verification on), on pages of the
 * org's own origin. Enrolment and activation through Okta's SDK, verification by challenge and
 * assertion, and the refusals: a challenge never issued, one answered twice, an assertion made
 * for another site, a cloned authenticator whose counter went back, another credential's
 * signature. Two credentials per user, removal, and a second node finishing a ceremony the first
 * began. Lanyard's page script `/assets/webauthn.js` drives the browser once for each ceremony.
 *
 * Needs /usr/bin/chromium (`apt-get install -y chromium`); without it every test here fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';
import { adminClient, collect, oktaError, type OktaClient } from '../helpers/okta.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { freePort } from '../helpers/ports.ts';

let t: TestLanyard;
let client: OktaClient;
let call: ReturnType<typeof api>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let cdp: CDPSession;
let authenticatorId: string;
let userId: string;

const authenticatorOptions = {
  protocol: 'ctap2', transport: 'usb', hasResidentKey: false, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true,
} as const;

type Created = { ok: true; id: string; attestation: string; clientData: string } | { ok: false; error: string };
type Asserted = { ok: true; id: string; clientData: string; authenticatorData: string; signatureData: string } | { ok: false; error: string };

/** `navigator.credentials.create()` in the page, with options in Okta's JSON shape; base64url out. */
async function browserCreate(on: Page, options: unknown): Promise<Created> {
  // WebAuthn answers only a focused document.
  await on.bringToFront();
  return on.evaluate(async (o: any) => {
    const toBytes = (s: string) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4)), (c) => c.charCodeAt(0));
    const toText = (b: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    try {
      const c = await (globalThis as any).navigator.credentials.create({
        publicKey: {
          ...o, challenge: toBytes(o.challenge), user: { ...o.user, id: toBytes(o.user.id) },
          excludeCredentials: (o.excludeCredentials ?? []).map((d: any) => ({ ...d, id: toBytes(d.id) })),
        },
      });
      return { ok: true as const, id: c.id as string, attestation: toText(c.response.attestationObject), clientData: toText(c.response.clientDataJSON) };
    } catch (error) {
      return { ok: false as const, error: (error as Error).name };
    }
  }, options);
}

/** `navigator.credentials.get()` in the page; base64url out, named as Okta's verify body names them. */
async function browserGet(on: Page, options: unknown): Promise<Asserted> {
  await on.bringToFront();
  return on.evaluate(async (o: any) => {
    const toBytes = (s: string) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4)), (c) => c.charCodeAt(0));
    const toText = (b: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    try {
      const c = await (globalThis as any).navigator.credentials.get({
        publicKey: { ...o, challenge: toBytes(o.challenge), allowCredentials: (o.allowCredentials ?? []).map((d: any) => ({ ...d, id: toBytes(d.id) })) },
      });
      return {
        ok: true as const, id: c.id as string, clientData: toText(c.response.clientDataJSON),
        authenticatorData: toText(c.response.authenticatorData), signatureData: toText(c.response.signature),
      };
    } catch (error) {
      return { ok: false as const, error: (error as Error).name };
    }
  }, options);
}

function created(result: Created) {
  if (!result.ok) throw new Error(`navigator.credentials.create failed: ${result.error}`);
  return result;
}

function asserted(result: Asserted) {
  if (!result.ok) throw new Error(`navigator.credentials.get failed: ${result.error}`);
  return result;
}

/** The private key and counter the page's authenticator holds for a credential (DevTools names it in standard base64). */
async function keyOf(credentialId: string) {
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  const key = credentials.find((c) => Buffer.from(c.credentialId, 'base64').toString('base64url') === credentialId);
  if (!key) throw new Error(`the authenticator holds no credential ${credentialId}`);
  return key;
}

const factorsPath = () => `/api/v1/users/${userId}/factors`;
const verify = (factorId: string, json?: unknown) => call(`${factorsPath()}/${factorId}/verify`, { method: 'POST', ...(json ? { json } : {}) });

/** Asks for a challenge and answers it with the page's authenticator. */
async function challengeAndAssert(factorId: string, on: Page = page) {
  const challenge = await verify(factorId);
  expect(challenge.status, challenge.text).toBe(200);
  return asserted(await browserGet(on, challenge.json._embedded.challenge));
}

beforeAll(async () => {
  t = await startLanyard();
  client = adminClient(t);
  call = api(t);
  userId = (await call('/api/v1/users?activate=true', { method: 'POST', json: { profile: { login: 'keys@example.com', email: 'keys@example.com', firstName: 'Kay', lastName: 'Fido' } } })).json.id;
  browser = await launchChromium();
  context = await browser.newContext();
  page = await context.newPage();
  // A page of the org's own origin: its host is the relying party.
  await page.goto(`${t.url}/login`);
  cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  authenticatorId = (await cdp.send('WebAuthn.addVirtualAuthenticator', { options: authenticatorOptions })).authenticatorId;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('WebAuthn factors', () => {
  let factorId: string;
  let credentialId: string;
  let secondId: string;

  it('enrols through the Okta SDK, with creation options for this org', async () => {
    const factor = await client.userFactorApi.enrollFactor({ userId, body: { factorType: 'webauthn', provider: 'FIDO' } as never });
    expect(factor).toMatchObject({ factorType: 'webauthn', provider: 'FIDO', status: 'PENDING_ACTIVATION' });
    expect(factor.id).toMatch(/^fwf[0-9A-Za-z]{17}$/);
    factorId = factor.id!;
    const activation = (factor as any)._embedded.activation;
    expect(activation).toMatchObject({
      rp: { id: 'localhost', name: expect.any(String) }, user: { name: 'keys@example.com', displayName: 'Kay Fido' },
      attestation: 'direct', excludeCredentials: [], authenticatorSelection: { userVerification: 'preferred' },
    });
    expect(activation.pubKeyCredParams).toContainEqual({ type: 'public-key', alg: -7 });
    expect(activation.challenge).toMatch(/^[A-Za-z0-9_-]{40,}$/);
  });

  it('refuses an attestation for a challenge it never issued, then activates with the real one, once', async () => {
    const pending = (await call(`${factorsPath()}/${factorId}`)).json;
    expect(pending._embedded).toBeUndefined();
    // Re-enrolling replaces the pending enrolment: take fresh options through the raw API.
    const enrolled = await call(factorsPath(), { method: 'POST', json: { factorType: 'webauthn', provider: 'FIDO' } });
    expect(enrolled.status).toBe(200);
    expect((await call(`${factorsPath()}/${factorId}`)).status).toBe(404);
    factorId = enrolled.json.id;
    const options = enrolled.json._embedded.activation;

    const forged = created(await browserCreate(page, { ...options, challenge: 'bm90LWlzc3VlZC1ieS1sYW55YXJkLWF0LWFsbC0xMjM0' }));
    const refused = await oktaError(client.userFactorApi.activateFactor({ userId, factorId, body: { attestation: forged.attestation, clientData: forged.clientData } }));
    expect(refused).toMatchObject({ status: 403, errorCode: 'E0000068' });
    expect(JSON.stringify(refused.errorCauses)).toMatch(/challenge/);

    const real = created(await browserCreate(page, options));
    const factor = await client.userFactorApi.activateFactor({ userId, factorId, body: { attestation: real.attestation, clientData: real.clientData } });
    expect(factor).toMatchObject({ status: 'ACTIVE', factorType: 'webauthn' });
    credentialId = real.id;
    expect((factor as any).profile).toEqual({ credentialId, authenticatorName: 'Security Key or Biometric Authenticator' });

    // The same answer again: the factor is active, and its challenge is spent.
    expect((await call(`${factorsPath()}/${factorId}/lifecycle/activate`, { method: 'POST', json: { attestation: real.attestation, clientData: real.clientData } })).status).toBe(400);
    const events = (await call(`/api/v1/logs?filter=${encodeURIComponent('eventType eq "user.mfa.factor.activate"')}`)).json;
    expect(events.map((e: any) => e.debugContext.debugData.factor)).toEqual(['webauthn']);
    const stored = (await t.lanyard.store.forOrg((await t.lanyard.store.orgs.findDefault())!.id).factors.find(userId, factorId))!;
    // The model from the authenticator's attestation: Chromium's virtual authenticator.
    expect(stored.credential).toMatchObject({ credentialId, aaguid: '01020304-0506-0708-0102-030405060708' });
  });

  it('verifies by challenge and assertion, each challenge once, and logs it', async () => {
    const challenge = await client.userFactorApi.verifyFactor({ userId, factorId });
    expect(challenge).toMatchObject({ factorResult: 'CHALLENGE', profile: { credentialId } });
    const options = (challenge as any)._embedded.challenge;
    expect(options).toMatchObject({ rpId: 'localhost', allowCredentials: [{ id: credentialId, type: 'public-key' }], userVerification: 'preferred' });

    const assertion = asserted(await browserGet(page, options));
    const body = { clientData: assertion.clientData, authenticatorData: assertion.authenticatorData, signatureData: assertion.signatureData };
    expect(await client.userFactorApi.verifyFactor({ userId, factorId, body: body as never })).toMatchObject({ factorResult: 'SUCCESS' });
    const replay = await verify(factorId, body);
    expect(replay.status).toBe(403);
    expect(replay.json).toMatchObject({ errorCode: 'E0000068' });
    expect(JSON.stringify(replay.json.errorCauses)).toMatch(/challenge/);

    const events = (await call(`/api/v1/logs?filter=${encodeURIComponent('eventType eq "user.authentication.auth_via_mfa"')}`)).json;
    expect(events.map((e: any) => [e.outcome.result, e.debugContext.debugData.factor]).sort()).toEqual([['FAILURE', 'webauthn'], ['SUCCESS', 'webauthn']]);
    expect(events.find((e: any) => e.outcome.result === 'SUCCESS').debugContext.debugData.userVerified).toBe('true');
  });

  it('answers the sign-in flow with the methods used (hwk, user)', async () => {
    const caller = { org: (await t.lanyard.store.orgs.findDefault())!, actor: { id: userId, type: 'User', alternateId: 'keys@example.com', displayName: 'Kay Fido' }, client: { ipAddress: null, userAgent: null }, requestId: 'test', requestUri: null };
    const rp = { rpId: 'localhost', origin: t.url };
    const factors = t.lanyard.services.factors;
    expect((await factors.activeFactors(caller.org.id, userId)).map((f) => f.id)).toEqual([factorId]);
    const options = await factors.challenge(caller as never, userId, factorId, rp);
    const assertion = asserted(await browserGet(page, options));
    expect(await factors.verify(caller as never, userId, factorId, assertion, rp)).toEqual({ amr: ['hwk', 'user'] });
  });

  it('refuses an assertion made on another origin of the same host', async () => {
    // Another site on localhost may use the same RP ID, but its origin is not the org's. The same
    // tab (and so the same authenticator) goes there, answered by the browser itself.
    const elsewhere = `http://localhost:${await freePort()}`;
    await page.route(`${elsewhere}/**`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>elsewhere</title>' }));
    try {
      await page.goto(`${elsewhere}/phish`);
      const refused = await verify(factorId, await challengeAndAssert(factorId));
      expect(refused.status).toBe(403);
      expect(refused.json.errorCode).toBe('E0000068');
    } finally {
      await page.unroute(`${elsewhere}/**`);
      await page.goto(`${t.url}/login`);
    }
  });

  it('refuses a cloned authenticator whose counter went back, and accepts the counter moving forward', async () => {
    const credential = await keyOf(credentialId);
    expect(credential!.signCount).toBeGreaterThan(0);
    // The same key with its counter set back, as a copy of the authenticator would be.
    await cdp.send('WebAuthn.removeCredential', { authenticatorId, credentialId: credential!.credentialId });
    await cdp.send('WebAuthn.addCredential', { authenticatorId, credential: { ...credential!, signCount: 0 } });
    const cloned = await verify(factorId, await challengeAndAssert(factorId));
    expect(cloned.status).toBe(403);
    expect(JSON.stringify(cloned.json.errorCauses)).toMatch(/counter/);
    await cdp.send('WebAuthn.removeCredential', { authenticatorId, credentialId: credential!.credentialId });
    await cdp.send('WebAuthn.addCredential', { authenticatorId, credential: { ...credential!, signCount: 1000 } });
    expect((await verify(factorId, await challengeAndAssert(factorId))).status).toBe(200);
    const stored = (await t.lanyard.store.forOrg((await t.lanyard.store.orgs.findDefault())!.id).factors.find(userId, factorId))!;
    expect(stored.credential!.signCount).toBe(1001);
  });

  it('holds a second credential for the same user, never the same authenticator twice', async () => {
    const enrolled = await call(factorsPath(), { method: 'POST', json: { factorType: 'webauthn', provider: 'FIDO' } });
    secondId = enrolled.json.id;
    const options = enrolled.json._embedded.activation;
    expect(options.excludeCredentials).toEqual([{ id: credentialId, type: 'public-key', transports: [] }]);
    // The browser itself refuses: this authenticator already holds a credential of the user.
    const again = await browserCreate(page, options);
    expect(again.ok).toBe(false);
    expect(['InvalidStateError', 'NotAllowedError']).toContain((again as { error: string }).error);

    // A second security key: keep the first key's credential aside while the new one registers.
    const first = await keyOf(credentialId);
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    authenticatorId = (await cdp.send('WebAuthn.addVirtualAuthenticator', { options: authenticatorOptions })).authenticatorId;
    const second = created(await browserCreate(page, options));
    expect(second.id).not.toBe(credentialId);
    const activated = await call(`${factorsPath()}/${secondId}/lifecycle/activate`, { method: 'POST', json: { attestation: second.attestation, clientData: second.clientData } });
    expect(activated.status, activated.text).toBe(200);
    await cdp.send('WebAuthn.addCredential', { authenticatorId, credential: first! });

    const listed = await collect(await client.userFactorApi.listFactors({ userId }));
    expect(listed.map((f: any) => [f.factorType, f.status, f.profile.credentialId])).toEqual([
      ['webauthn', 'ACTIVE', credentialId], ['webauthn', 'ACTIVE', second.id],
    ]);
    expect((await verify(factorId, await challengeAndAssert(factorId))).status).toBe(200);
    expect((await verify(secondId, await challengeAndAssert(secondId))).status).toBe(200);

    // The first key's signature over the second factor's challenge.
    const challenge = (await verify(secondId)).json._embedded.challenge;
    const wrongKey = asserted(await browserGet(page, { ...challenge, allowCredentials: [{ id: credentialId, type: 'public-key' }] }));
    expect((await verify(secondId, wrongKey)).status).toBe(403);
    // One factor's challenge does not serve another.
    const crossed = await challengeAndAssert(factorId);
    expect((await verify(secondId, crossed)).status).toBe(403);
  });

  it('lets a second node finish a ceremony the first began', async () => {
    const node2 = await startLanyard({ dataDir: t.dataDir, databaseUrl: t.databaseUrl, env: { LANYARD_BASE_URL: t.url, LANYARD_ADMIN_TOKEN: t.token } });
    try {
      const assertion = await challengeAndAssert(factorId);
      const onNode2 = await api({ url: node2.url, token: t.token })(`${factorsPath()}/${factorId}/verify`, { method: 'POST', json: assertion });
      expect(onNode2.status, onNode2.text).toBe(200);
      expect((await verify(factorId, assertion)).status).toBe(403);
    } finally {
      await node2.close();
    }
  });

  it('refuses bad input clearly', async () => {
    const bad = async (path: string, json: unknown, status: number) => {
      const response = await call(path, { method: 'POST', json });
      expect(response.status, `${path} ${JSON.stringify(json)}: ${response.text}`).toBe(status);
      expect(response.json.errorCode).toMatch(/^E0000/);
      return response.json;
    };
    await bad(factorsPath(), { factorType: 'webauthn', provider: 'GOOGLE' }, 400);
    const pending = (await call(factorsPath(), { method: 'POST', json: { factorType: 'webauthn', provider: 'FIDO' } })).json;
    const activate = `${factorsPath()}/${pending.id}/lifecycle/activate`;
    await bad(activate, {}, 400);
    await bad(activate, { attestation: 'not base64!', clientData: 'eyJ9' }, 400);
    await bad(activate, { attestation: 'AAAA', clientData: 'AAAA' }, 400);
    const forged = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: 'x', origin: t.url })).toString('base64url');
    expect((await bad(activate, { attestation: 'o2NmbXRkbm9uZQ', clientData: forged }, 403)).errorCode).toBe('E0000068');
    expect((await verify(pending.id)).status).toBe(400);
    await bad(`${factorsPath()}/${factorId}/verify`, { passCode: '123456' }, 400);
    await bad(`${factorsPath()}/${factorId}/verify`, { clientData: 'AAAA', authenticatorData: 'AAAA', signatureData: '' }, 400);
    await bad(`${factorsPath()}/${factorId}/verify`, { clientData: 'AAAA', authenticatorData: 'AAAA', signatureData: 'AAAA' }, 400);
    expect((await verify('fwfNoSuchFactor00000')).status).toBe(404);
    await bad(`${factorsPath()}/${factorId}/backup-codes`, {}, 400);
    await call(`${factorsPath()}/${pending.id}`, { method: 'DELETE' });
  });

  it('removes one credential and keeps the other', async () => {
    await client.userFactorApi.unenrollFactor({ userId, factorId: secondId });
    expect((await verify(secondId)).status).toBe(404);
    expect((await call(factorsPath())).json.map((f: any) => f.id)).toEqual([factorId]);
    expect((await verify(factorId, await challengeAndAssert(factorId))).status).toBe(200);
    const catalog = (await call(`${factorsPath()}/catalog`)).json;
    expect(catalog.find((c: any) => c.factorType === 'webauthn').status).toBe('ACTIVE');
  });
});

describe('the page script /assets/webauthn.js', () => {
  it('is served as a cacheable script', async () => {
    const response = await fetch(`${t.url}/assets/webauthn.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(await response.text()).toContain('navigator.credentials.create');
  });

  /** A page of the org's origin (answered in the browser) that loads the script from Lanyard, and captures what its form posts. */
  async function fixturePage(on: Page, mode: 'create' | 'get', options: unknown): Promise<{ submitted: Promise<URLSearchParams> }> {
    let posted!: (body: URLSearchParams) => void;
    const submitted = new Promise<URLSearchParams>((resolve) => {
      posted = resolve;
    });
    const json = JSON.stringify(options).replace(/</g, '\\u003c');
    const fields = mode === 'create' ? ['attestation', 'clientData'] : ['clientData', 'authenticatorData', 'signatureData'];
    await on.unroute(`${t.url}/fixture/**`);
    await on.route(`${t.url}/fixture/**`, async (route) => {
      if (route.request().method() === 'POST') {
        posted(new URLSearchParams(route.request().postData() ?? ''));
        await route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>done</title>' });
        return;
      }
      await route.fulfill({
        contentType: 'text/html',
        headers: { 'Content-Security-Policy': "default-src 'none'; script-src 'self'; form-action 'self'" },
        body: `<!doctype html><html><head><title>key</title><script type="application/json" id="webauthn-options">${json}</script>
<script src="/assets/webauthn.js" defer></script></head><body>
<form method="post" action="/fixture/submit" data-webauthn="${mode}">${fields.map((f) => `<input type="hidden" name="${f}">`).join('')}
<button type="button" data-webauthn-start>Use my security key</button></form><p data-webauthn-error role="alert" hidden></p></body></html>`,
      });
    });
    await on.bringToFront();
    // The script may have submitted the form before the page finished loading.
    await on.goto(`${t.url}/fixture/${mode}`, { waitUntil: 'commit' });
    return { submitted };
  }

  it('creates a credential, fills the form and submits it; the posted fields activate the factor', async () => {
    const own = await browser.newContext();
    const p = await own.newPage();
    const session = await own.newCDPSession(p);
    await session.send('WebAuthn.enable');
    await session.send('WebAuthn.addVirtualAuthenticator', { options: authenticatorOptions });
    const enrolled = (await call(factorsPath(), { method: 'POST', json: { factorType: 'webauthn', provider: 'FIDO' } })).json;
    const form = await (await fixturePage(p, 'create', enrolled._embedded.activation)).submitted;
    expect([...form.keys()].sort()).toEqual(['attestation', 'clientData']);
    const activated = await call(`${factorsPath()}/${enrolled.id}/lifecycle/activate`, { method: 'POST', json: Object.fromEntries(form) });
    expect(activated.status, activated.text).toBe(200);

    // Signing in with it through the script too.
    const challenge = (await verify(enrolled.id)).json._embedded.challenge;
    const signed = await (await fixturePage(p, 'get', challenge)).submitted;
    expect([...signed.keys()].sort()).toEqual(['authenticatorData', 'clientData', 'signatureData']);
    expect((await verify(enrolled.id, Object.fromEntries(signed))).status).toBe(200);
    await own.close();
  });

  it('tells a failure in the alert and leaves the button to try again', async () => {
    const own = await browser.newContext();
    const p = await own.newPage();
    const session = await own.newCDPSession(p);
    await session.send('WebAuthn.enable');
    await session.send('WebAuthn.addVirtualAuthenticator', { options: authenticatorOptions });
    // Options naming a relying party this origin may not speak for: the browser refuses at once.
    const enrolled = (await call(factorsPath(), { method: 'POST', json: { factorType: 'webauthn', provider: 'FIDO' } })).json;
    const options = enrolled._embedded.activation;
    await fixturePage(p, 'create', { ...options, rp: { ...options.rp, id: 'example.com' } });
    const alert = p.getByRole('alert');
    await alert.waitFor({ state: 'visible' });
    expect(await alert.textContent()).toBe('This page is not allowed to use security keys for this site.');
    const button = p.getByRole('button', { name: 'Use my security key' });
    expect(await button.isEnabled()).toBe(true);
    // Trying again clears the message, then tells the failure again.
    await button.click();
    await alert.waitFor({ state: 'visible' });
    expect(await p.locator('input[name="attestation"]').inputValue()).toBe('');
    await own.close();
  });
});
