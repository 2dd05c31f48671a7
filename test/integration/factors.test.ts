/**
 * TOTP factors through Okta's own Node SDK (`userFactorApi`), with an independent TOTP
 * implementation from the npm registry (`otpauth`) playing the authenticator app: enrol, scan
 * the QR code's secret, activate, verify, and the refusals — a wrong code, a code used twice, a
 * second enrolment of the same factor, verifying before activation — the one-time backup codes
 * handed out at activation, then removal and reset.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as OTPAuth from 'otpauth';
import { api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';
import { adminClient, oktaError, type OktaClient } from '../helpers/okta.ts';

let t: TestLanyard;
let client: OktaClient;
let call: ReturnType<typeof api>;
let userId: string;

/** The authenticator app: the secret Lanyard handed over, and the clock. */
function authenticator(secret: string) {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
}

beforeAll(async () => {
  t = await startLanyard();
  client = adminClient(t);
  call = api(t);
  userId = (await call('/api/v1/users?activate=true', { method: 'POST', json: { profile: { login: 'mfa@example.com', email: 'mfa@example.com', firstName: 'Em', lastName: 'Fa' } } })).json.id;
});
afterAll(async () => t?.close());

describe('TOTP factors', () => {
  let factorId: string;
  let secret: string;
  let backupCodes: string[];

  it('enrols through the Okta SDK, with a shared secret and a QR code that carries it', async () => {
    const factor = await client.userFactorApi.enrollFactor({ userId, body: { factorType: 'token:software:totp', provider: 'GOOGLE' } as never });
    expect(factor).toMatchObject({ factorType: 'token:software:totp', provider: 'GOOGLE', status: 'PENDING_ACTIVATION' });
    factorId = factor.id!;
    const activation = (factor as any)._embedded.activation;
    expect(activation).toMatchObject({ timeStep: 30, encoding: 'base32', keyLength: 6 });
    secret = activation.sharedSecret;
    const qr = await fetch(activation._links.qrcode.href.replace(/^https?:\/\/[^/]+/, t.url), { headers: { authorization: `SSWS ${t.token}` } });
    expect(qr.status).toBe(200);
    expect(qr.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await qr.arrayBuffer());
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect((await fetch(activation._links.qrcode.href.replace(/^https?:\/\/[^/]+/, t.url))).status).toBe(401);
  });

  it('refuses a wrong first code, then activates with the authenticator\'s code', async () => {
    const wrong = await oktaError(client.userFactorApi.activateFactor({ userId, factorId, body: { passCode: '000000' } }));
    expect(wrong).toMatchObject({ status: 403, errorCode: 'E0000068' });
    const code = authenticator(secret).generate();
    const factor = await client.userFactorApi.activateFactor({ userId, factorId, body: { passCode: code } });
    expect((factor as { status?: string }).status).toBe('ACTIVE');
    // Ten one-time backup codes come with the activation, shown this once.
    backupCodes = (factor as any)._embedded.backupCodes;
    expect(backupCodes).toHaveLength(10);
    expect(new Set(backupCodes).size).toBe(10);
    for (const c of backupCodes) expect(c).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);
    expect((await call(`/api/v1/users/${userId}/factors/${factorId}`)).text).not.toContain(backupCodes[0]);
    // The QR code is gone once the factor is active.
    expect((await call(`/api/v1/users/${userId}/factors/${factorId}/qr`)).status).toBe(404);
  });

  it('verifies a later code once, never twice, and logs each attempt', async () => {
    const app = authenticator(secret);
    // The activation used this step's code; the next step's is within the allowed drift.
    const next = app.generate({ timestamp: Date.now() + 30_000 });
    const result = await client.userFactorApi.verifyFactor({ userId, factorId, body: { passCode: next } });
    expect(result).toMatchObject({ factorResult: 'SUCCESS' });
    const replay = await oktaError(client.userFactorApi.verifyFactor({ userId, factorId, body: { passCode: next } }));
    expect(replay).toMatchObject({ status: 403, errorCode: 'E0000068' });
    const events = (await call(`/api/v1/logs?filter=${encodeURIComponent('eventType eq "user.authentication.auth_via_mfa"')}`)).json;
    expect(events.map((e: any) => e.outcome.result).sort()).toEqual(['FAILURE', 'SUCCESS']);
  });

  it('lists the factor, refuses enrolling it twice, and shows it in the catalog', async () => {
    const factors = [];
    for await (const f of await client.userFactorApi.listFactors({ userId })) factors.push(f);
    expect(factors.map((f) => [f!.id, f!.status])).toEqual([[factorId, 'ACTIVE']]);
    const again = await call(`/api/v1/users/${userId}/factors`, { method: 'POST', json: { factorType: 'token:software:totp', provider: 'GOOGLE' } });
    expect(again.status).toBe(400);
    expect(JSON.stringify(again.json.errorCauses)).toMatch(/already set up/);
    const catalog = (await call(`/api/v1/users/${userId}/factors/catalog`)).json;
    expect(catalog.map((c: any) => [c.factorType, c.provider, c.status])).toEqual([
      ['token:software:totp', 'GOOGLE', 'ACTIVE'], ['token:software:totp', 'OKTA', 'NOT_SETUP'], ['webauthn', 'FIDO', 'NOT_SETUP'],
    ]);
  });

  it('refuses bad input clearly', async () => {
    expect((await call(`/api/v1/users/${userId}/factors`, { method: 'POST', json: { factorType: 'sms', provider: 'OKTA' } })).status).toBe(400);
    const pending = (await call(`/api/v1/users/${userId}/factors`, { method: 'POST', json: { factorType: 'token:software:totp', provider: 'OKTA' } })).json;
    const early = await call(`/api/v1/users/${userId}/factors/${pending.id}/verify`, { method: 'POST', json: { passCode: '123456' } });
    expect(early.status).toBe(400);
    expect((await call(`/api/v1/users/${userId}/factors/uftNoSuchFactor00000/verify`, { method: 'POST', json: { passCode: '123456' } })).status).toBe(404);
    expect((await call(`/api/v1/users/${userId}/factors/${factorId}/verify`, { method: 'POST', json: {} })).status).toBe(400);
  });

  it('accepts each backup code once in place of a passcode, and logs its use with how many remain', async () => {
    const result = await client.userFactorApi.verifyFactor({ userId, factorId, body: { passCode: backupCodes[0]! } });
    expect(result).toMatchObject({ factorResult: 'SUCCESS' });
    const again = await oktaError(client.userFactorApi.verifyFactor({ userId, factorId, body: { passCode: backupCodes[0]! } }));
    expect(again).toMatchObject({ status: 403, errorCode: 'E0000068' });
    // Case, spaces and the hyphen do not matter.
    const typed = ` ${backupCodes[1]!.replace('-', ' ').toUpperCase()} `;
    expect((await call(`/api/v1/users/${userId}/factors/${factorId}/verify`, { method: 'POST', json: { passCode: typed } })).json).toEqual({ factorResult: 'SUCCESS' });
    // A code of the right shape that was never issued.
    expect((await call(`/api/v1/users/${userId}/factors/${factorId}/verify`, { method: 'POST', json: { passCode: 'zzzzz-zzzzz' } })).status).toBe(403);
    const events = (await call(`/api/v1/logs?filter=${encodeURIComponent('eventType eq "user.authentication.auth_via_mfa"')}`)).json;
    const used = events.filter((e: any) => e.debugContext.debugData.method === 'backup_code');
    expect(used.map((e: any) => [e.outcome.result, e.debugContext.debugData.backupCodesRemaining])).toEqual([['SUCCESS', '9'], ['SUCCESS', '8']]);
    expect(JSON.stringify(events)).not.toContain(backupCodes[0]);
  });

  it('regenerates the backup codes: the new ones work, the old ones no longer', async () => {
    const fresh = await call(`/api/v1/users/${userId}/factors/${factorId}/backup-codes`, { method: 'POST' });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('cache-control')).toBe('no-store');
    const codes: string[] = fresh.json.backupCodes;
    expect(codes).toHaveLength(10);
    expect(codes.some((c) => backupCodes.includes(c))).toBe(false);
    const old = await call(`/api/v1/users/${userId}/factors/${factorId}/verify`, { method: 'POST', json: { passCode: backupCodes[5] } });
    expect(old.status).toBe(403);
    expect((await call(`/api/v1/users/${userId}/factors/${factorId}/verify`, { method: 'POST', json: { passCode: codes[5] } })).status).toBe(200);
    const updates = (await call(`/api/v1/logs?filter=${encodeURIComponent('eventType eq "user.mfa.factor.update"')}`)).json;
    expect(updates.map((e: any) => e.debugContext.debugData.backupCodes)).toEqual(['regenerated']);
    backupCodes = codes;
    // Only an active TOTP factor has them.
    const pending = (await call(`/api/v1/users/${userId}/factors`)).json.find((f: any) => f.status === 'PENDING_ACTIVATION');
    expect((await call(`/api/v1/users/${userId}/factors/${pending.id}/backup-codes`, { method: 'POST' })).status).toBe(400);
    expect((await call(`/api/v1/users/${userId}/factors/uftNoSuchFactor00000/backup-codes`, { method: 'POST' })).status).toBe(404);
  });

  it('removes one factor, and resets them all', async () => {
    const orgId = (await t.lanyard.store.orgs.findDefault())!.id;
    expect(await t.lanyard.store.forOrg(orgId).factors.countBackupCodes(factorId)).toBe(9);
    await client.userFactorApi.unenrollFactor({ userId, factorId });
    // The backup codes went with the factor.
    expect(await t.lanyard.store.forOrg(orgId).factors.countBackupCodes(factorId)).toBe(0);
    expect((await call(`/api/v1/users/${userId}/factors`)).json.map((f: any) => f.provider)).toEqual(['OKTA']);
    expect((await call(`/api/v1/users/${userId}/lifecycle/reset_factors`, { method: 'POST' })).status).toBe(200);
    expect((await call(`/api/v1/users/${userId}/factors`)).json).toEqual([]);
  });

  it('keeps the secret sealed at rest', async () => {
    const enrolled = (await call(`/api/v1/users/${userId}/factors`, { method: 'POST', json: { factorType: 'token:software:totp', provider: 'GOOGLE' } })).json;
    const stored = await t.lanyard.store.forOrg((await t.lanyard.store.orgs.findDefault())!.id).factors.find(userId, enrolled.id);
    expect(stored!.secret).not.toContain(enrolled._embedded.activation.sharedSecret);
  });
});
