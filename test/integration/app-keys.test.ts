/**
 * Okta's Application SSO Credential Keys API (`/api/v1/apps/{appId}/credentials/keys`) through
 * Okta's own Node SDK, with plain fetch for the wire: generate, list, get, clone. Each certificate
 * is checked independently with OpenSSL (subject, validity, key, thumbprint, a signature made with
 * the sealed private key), the private key is looked for in the database the way an attacker would,
 * and no org sees another org's apps or keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { X509Certificate, createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { adminClient, collect, oktaClient, oktaError, type OktaClient } from '../helpers/okta.ts';
import { api, startLanyard, storeKind, type TestLanyard } from '../helpers/lanyard.ts';
import { createOrgWithAdmin, type TestOrg } from '../helpers/orgs.ts';
import { createOidcApp } from '../helpers/oidc.ts';
import { createAppKeyService } from '../../src/services/app-keys.ts';
import { createVault } from '../../src/vault/envelope.ts';

let t: TestLanyard;
let client: OktaClient;
let call: ReturnType<typeof api>;
let orgId: string;
let orgName: string;
let b: TestOrg;
let clientB: OktaClient;
let callB: ReturnType<typeof api>;
let work: string;

beforeAll(async () => {
  // Fail loudly, before anything else, when the independent checker is missing.
  execFileSync('openssl', ['version'], { encoding: 'utf8' });
  work = mkdtempSync(join(tmpdir(), 'lanyard-app-keys-'));
  t = await startLanyard();
  client = adminClient(t);
  call = api(t);
  const org = (await t.lanyard.store.orgs.findDefault())!;
  orgId = org.id;
  orgName = org.name;
  b = await createOrgWithAdmin(t, 'globex', '127.0.0.1');
  const urlB = `http://127.0.0.1:${t.port}`;
  clientB = oktaClient(urlB, b.token);
  callB = api({ url: urlB, token: b.token });
});
afterAll(async () => {
  await t?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const apps = () => client.applicationApi;
let serial = 0;

async function bookmarkApp(caller: ReturnType<typeof api> = call): Promise<string> {
  const created = await caller('/api/v1/apps', {
    method: 'POST',
    json: { name: 'bookmark', label: `Bookmark ${++serial}`, signOnMode: 'BOOKMARK', settings: { app: { url: 'https://example.test/' } } },
  });
  expect(created.status).toBe(200);
  return created.json.id;
}

function openssl(args: readonly string[], input?: string): string {
  return execFileSync('openssl', args, { encoding: 'utf8', ...(input === undefined ? {} : { input }) });
}

const certPem = (base64Der: string) => `-----BEGIN CERTIFICATE-----\n${base64Der.replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;

/** What OpenSSL itself reads from a certificate. */
function inspect(base64Der: string) {
  const file = join(work, `cert-${++serial}.pem`);
  writeFileSync(file, certPem(base64Der));
  const field = (option: string) => openssl(['x509', '-in', file, '-noout', option, '-nameopt', 'RFC2253', '-dateopt', 'iso_8601']).trim();
  const value = (line: string) => line.slice(line.indexOf('=') + 1);
  const isoOf = (text: string) => new Date(value(text).replace(' ', 'T')).toISOString();
  return {
    file,
    subject: value(field('-subject')),
    issuer: value(field('-issuer')),
    notBefore: isoOf(field('-startdate')),
    notAfter: isoOf(field('-enddate')),
    modulusHex: value(field('-modulus')),
    sha256: value(openssl(['x509', '-in', file, '-noout', '-fingerprint', '-sha256']).trim()).replace(/:/g, ''),
    text: openssl(['x509', '-in', file, '-noout', '-text']),
    verify: () => openssl(['verify', '-CAfile', file, file]).trim(),
  };
}

function expectOktaError(res: { status: number; json: any }, status: number, code: string, summary?: string) {
  expect(res.status).toBe(status);
  expect(res.json).toMatchObject({ errorCode: code, errorLink: code });
  expect(res.json.errorId).toMatch(/^oae[0-9A-Za-z]{22}$/);
  expect(Array.isArray(res.json.errorCauses)).toBe(true);
  if (summary !== undefined) expect(res.json.errorSummary).toBe(summary);
}

/** The rows of `signing_keys`, read from the database directly. */
async function signingKeyRows(): Promise<Record<string, unknown>[]> {
  if (storeKind() === 'sqlite') {
    const db = new DatabaseSync(t.lanyard.sqlitePath ?? join(t.dataDir, 'lanyard.db'), { readOnly: true });
    try {
      return db.prepare('select * from signing_keys').all() as Record<string, unknown>[];
    } finally {
      db.close();
    }
  }
  const db = new pg.Client({ connectionString: t.databaseUrl });
  await db.connect();
  try {
    return (await db.query('select * from signing_keys')).rows;
  } finally {
    await db.end();
  }
}

describe('application key credentials through @okta/okta-sdk-nodejs', () => {
  it('generates a key credential with a certificate, then lists and gets it', async () => {
    const appId = await bookmarkApp();
    expect(await collect(await apps().listApplicationKeys({ appId }))).toEqual([]);

    const before = Date.now();
    const key = await apps().generateApplicationKey({ appId, validityYears: 3 });
    expect(key.kid).toMatch(/^akm[0-9A-Za-z]{17}$/);
    expect(key.kty).toBe('RSA');
    expect(key.use).toBe('sig');
    expect(key.e).toBe('AQAB');
    expect(Buffer.from(key.n!, 'base64url').length).toBe(256);
    expect(key.x5c).toHaveLength(1);
    expect(key.x5tS256).toBe(createHash('sha256').update(Buffer.from(key.x5c![0]!, 'base64')).digest('base64url'));
    expect(key.created).toBeInstanceOf(Date);
    expect(key.created!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(key.lastUpdated!.getTime()).toBe(key.created!.getTime());
    const expected = new Date(Math.floor(key.created!.getTime() / 1000) * 1000);
    expected.setUTCFullYear(expected.getUTCFullYear() + 3);
    expect(key.expiresAt!.toISOString()).toBe(expected.toISOString());

    const listed = await collect(await apps().listApplicationKeys({ appId }));
    expect(listed.map((k) => k.kid)).toEqual([key.kid]);
    expect(listed[0]!.x5c).toEqual(key.x5c);
    const got = await apps().getApplicationKey({ appId, keyId: key.kid! });
    expect(got.x5c).toEqual(key.x5c);
    expect(got.x5tS256).toBe(key.x5tS256);
    expect(got.expiresAt!.getTime()).toBe(key.expiresAt!.getTime());

    // On the wire: Okta's field names, 201 with a Location, and nothing private.
    const raw = await call(`/api/v1/apps/${appId}/credentials/keys/generate?validityYears=10`, { method: 'POST' });
    expect(raw.status).toBe(201);
    expect(raw.headers.get('location')).toBe(`${t.url}/api/v1/apps/${appId}/credentials/keys/${raw.json.kid}`);
    expect(Object.keys(raw.json).sort()).toEqual(['created', 'e', 'expiresAt', 'kid', 'kty', 'lastUpdated', 'n', 'use', 'x5c', 'x5t#S256']);
    const wire = await call(`/api/v1/apps/${appId}/credentials/keys`);
    expect(wire.status).toBe(200);
    expect(wire.json.map((k: any) => k.kid)).toEqual([key.kid, raw.json.kid]);
    expect(JSON.stringify(wire.json)).not.toMatch(/"(d|p|q|dp|dq|qi)"|PRIVATE/);
    expect((await call(`/api/v1/apps/${appId}/credentials/keys/${raw.json.kid}`)).json).toEqual(raw.json);
  });

  it('makes a certificate OpenSSL reads: subject, validity, the JWK\'s key, its thumbprint', async () => {
    const appId = await bookmarkApp();
    const key = (await call(`/api/v1/apps/${appId}/credentials/keys/generate?validityYears=7`, { method: 'POST' })).json;
    const cert = inspect(key.x5c[0]);
    expect(cert.subject).toBe(`CN=${orgName},OU=SSOProvider,O=Lanyard`);
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify()).toBe(`${cert.file}: OK`);
    expect(cert.text).toContain('Version: 3 (0x2)');
    expect(cert.text).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
    expect(cert.text).toContain('Public-Key: (2048 bit)');
    expect(cert.text).toContain('Exponent: 65537 (0x10001)');
    expect(cert.text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(cert.text).toMatch(/Key Usage: critical\s+Digital Signature/);

    const created = new Date(key.created);
    expect(cert.notBefore).toBe(new Date(Math.floor(created.getTime() / 1000) * 1000).toISOString());
    const notAfter = new Date(cert.notBefore);
    notAfter.setUTCFullYear(notAfter.getUTCFullYear() + 7);
    expect(cert.notAfter).toBe(notAfter.toISOString());
    expect(key.expiresAt).toBe(cert.notAfter);

    expect(cert.modulusHex).toBe(Buffer.from(key.n, 'base64url').toString('hex').toUpperCase());
    expect(Buffer.from(cert.sha256, 'hex').toString('base64url')).toBe(key['x5t#S256']);
    // Node reads the same key from the certificate as the JWK carries.
    const fromCert = new X509Certificate(Buffer.from(key.x5c[0], 'base64')).publicKey.export({ format: 'jwk' });
    expect(fromCert).toEqual({ kty: 'RSA', n: key.n, e: key.e });
    // Serial numbers are random: two certificates never share one.
    const other = (await call(`/api/v1/apps/${appId}/credentials/keys/generate?validityYears=2`, { method: 'POST' })).json;
    expect(new X509Certificate(Buffer.from(other.x5c[0], 'base64')).serialNumber)
      .not.toBe(new X509Certificate(Buffer.from(key.x5c[0], 'base64')).serialNumber);
  });

  it('signs with the sealed private key, and the certificate verifies the signature (OpenSSL)', async () => {
    const appId = await bookmarkApp();
    const first = await apps().generateApplicationKey({ appId, validityYears: 2 });
    const second = await apps().generateApplicationKey({ appId, validityYears: 2 });
    const material = await t.lanyard.services.appKeys.signingMaterial(orgId, appId, first.kid!);
    expect(material.kid).toBe(first.kid);
    expect(material.certificateBase64).toBe(first.x5c![0]);
    expect(material.certificatePem).toContain('-----BEGIN CERTIFICATE-----');
    expect(material.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);

    const data = Buffer.from('<Assertion ID="_1">signed by the app</Assertion>');
    const signature = sign('sha256', data, material.privateKeyPem);
    expect(new X509Certificate(material.certificatePem).publicKey.equals(createPublicKey(material.privateKeyPem))).toBe(true);
    const dataFile = join(work, 'data.bin');
    const sigFile = join(work, 'data.sig');
    const pubFile = join(work, 'pub.pem');
    writeFileSync(dataFile, data);
    writeFileSync(sigFile, signature);
    writeFileSync(pubFile, openssl(['x509', '-pubkey', '-noout'], material.certificatePem));
    expect(openssl(['dgst', '-sha256', '-verify', pubFile, '-signature', sigFile, dataFile]).trim()).toBe('Verified OK');
    // The other key's certificate does not verify it.
    writeFileSync(pubFile, openssl(['x509', '-pubkey', '-noout'], certPem(second.x5c![0]!)));
    expect(() => execFileSync('openssl', ['dgst', '-sha256', '-verify', pubFile, '-signature', sigFile, dataFile], { stdio: 'pipe' })).toThrow();

    // Without a kid: the newest key.
    expect((await t.lanyard.services.appKeys.signingMaterial(orgId, appId)).kid).toBe(second.kid);
  });

  it('keeps the private key out of reach in the database', async () => {
    const appId = await bookmarkApp();
    const key = await apps().generateApplicationKey({ appId, validityYears: 5 });
    const { privateKeyPem } = await t.lanyard.services.appKeys.signingMaterial(orgId, appId, key.kid!);
    const pkcs8 = privateKeyPem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
    const privateJwk = createPrivateKey(privateKeyPem).export({ format: 'jwk' });

    const row = (await signingKeyRows()).find((r) => r.kid === key.kid)!;
    expect(row).toMatchObject({ org_id: orgId, owner_type: 'app', owner_id: appId, alg: 'RS256', status: 'ACTIVE' });
    expect(String(row.private_ciphertext)).toMatch(/^v1\.[0-9A-Za-z]+\./);
    expect(String(row.certificate)).toContain(key.x5c![0]!.slice(0, 64));
    expect(JSON.parse(String(row.public_jwk))).not.toHaveProperty('d');
    for (const r of await signingKeyRows()) {
      const text = JSON.stringify(r);
      expect(text).not.toContain('PRIVATE KEY');
      for (let i = 0; i + 48 <= pkcs8.length; i += 200) expect(text).not.toContain(pkcs8.slice(i, i + 48));
      expect(text).not.toContain(String(privateJwk.d).slice(0, 40));
      expect(text).not.toContain(Buffer.from(String(privateJwk.d), 'base64url').toString('base64').slice(0, 40));
    }
  });

  it('refuses a validityYears outside 2 to 10, or none, in Okta\'s shape, and stores nothing', async () => {
    const appId = await bookmarkApp();
    for (const years of ['1', '11', '0', '-3', '2.5', 'ten', '1e1', '99999999999999999999']) {
      const res = await call(`/api/v1/apps/${appId}/credentials/keys/generate?validityYears=${encodeURIComponent(years)}`, { method: 'POST' });
      expectOktaError(res, 400, 'E0000001', 'Api validation failed: generateKey');
      expect(res.json.errorCauses).toEqual([{ errorSummary: 'Validity years out of range. It should be 2 - 10 years' }]);
    }
    expectOktaError(await call(`/api/v1/apps/${appId}/credentials/keys/generate`, { method: 'POST' }), 400, 'E0000001');
    expectOktaError(await call(`/api/v1/apps/${appId}/credentials/keys/generate?validityYears=`, { method: 'POST' }), 400, 'E0000001');
    expectOktaError(await call(`/api/v1/apps/${appId}/credentials/keys/generate?validityYears=3&validityYears=4`, { method: 'POST' }), 400, 'E0000002');
    const viaSdk = await oktaError(apps().generateApplicationKey({ appId, validityYears: 1 }));
    expect(viaSdk.status).toBe(400);
    expect(viaSdk.errorCode).toBe('E0000001');
    expect(await collect(await apps().listApplicationKeys({ appId }))).toEqual([]);

    // The bounds themselves are fine.
    for (const years of [2, 10]) expect((await apps().generateApplicationKey({ appId, validityYears: years })).kid).toBeTruthy();
  });

  it('clones a key, with its kid, to another app of the org, once', async () => {
    const source = await bookmarkApp();
    const target = (await createOidcApp(t, { label: 'Clone target' })).id;
    const key = await apps().generateApplicationKey({ appId: source, validityYears: 4 });

    const cloned = await apps().cloneApplicationKey({ appId: source, keyId: key.kid!, targetAid: target });
    expect(cloned.kid).toBe(key.kid);
    expect(cloned.x5c).toEqual(key.x5c);
    expect(cloned.x5tS256).toBe(key.x5tS256);
    expect(cloned.expiresAt!.getTime()).toBe(key.expiresAt!.getTime());
    const raw = await call(`/api/v1/apps/${source}/credentials/keys/${key.kid}/clone?targetAid=${target}`, { method: 'POST' });
    expectOktaError(raw, 400, 'E0000001', 'Api validation failed: cloneKey');
    expect(raw.json.errorCauses).toEqual([{ errorSummary: 'Key already exists in the list of key credentials for the target app.' }]);
    // Onto the app that already has it.
    expectOktaError(await call(`/api/v1/apps/${source}/credentials/keys/${key.kid}/clone?targetAid=${source}`, { method: 'POST' }), 400, 'E0000001');

    expect((await collect(await apps().listApplicationKeys({ appId: target }))).map((k) => k.kid)).toEqual([key.kid]);
    expect((await apps().getApplicationKey({ appId: target, keyId: key.kid! })).x5c).toEqual(key.x5c);
    expect((await collect(await apps().listApplicationKeys({ appId: source }))).map((k) => k.kid)).toEqual([key.kid]);
    // Both apps sign with the same private key.
    const a = await t.lanyard.services.appKeys.signingMaterial(orgId, source, key.kid!);
    const c = await t.lanyard.services.appKeys.signingMaterial(orgId, target, key.kid!);
    expect(c).toEqual(a);

    // Removing one app's keys leaves the other's copy.
    expect(await t.lanyard.services.appKeys.remove(orgId, source)).toBe(1);
    expect(await collect(await apps().listApplicationKeys({ appId: source }))).toEqual([]);
    expect((await apps().getApplicationKey({ appId: target, keyId: key.kid! })).kid).toBe(key.kid);
    expect((await t.lanyard.services.appKeys.signingMaterial(orgId, target, key.kid!)).privateKeyPem).toBe(a.privateKeyPem);
    expect(await t.lanyard.services.appKeys.remove(orgId, target)).toBe(1);
    expect((await signingKeyRows()).filter((r) => r.owner_id === source || r.owner_id === target)).toEqual([]);
  });

  it('refuses clones to unknown apps, from unknown keys and without a target', async () => {
    const source = await bookmarkApp();
    const key = await apps().generateApplicationKey({ appId: source, validityYears: 2 });
    const toNowhere = await call(`/api/v1/apps/${source}/credentials/keys/${key.kid}/clone?targetAid=0oaNoSuchApp000000000`, { method: 'POST' });
    expectOktaError(toNowhere, 404, 'E0000007', 'Not found: Resource not found: 0oaNoSuchApp000000000 (AppInstance)');
    const sdk = await oktaError(apps().cloneApplicationKey({ appId: source, keyId: 'akmNoSuchKey00000000', targetAid: source }));
    expect(sdk.status).toBe(404);
    expect(sdk.errorSummary).toBe('Not found: Resource not found: akmNoSuchKey00000000 (Key)');
    expectOktaError(await call(`/api/v1/apps/${source}/credentials/keys/${key.kid}/clone`, { method: 'POST' }), 400, 'E0000001');
    expect((await signingKeyRows()).filter((r) => r.owner_id === source)).toHaveLength(1);
  });

  it('answers unknown apps and keys with 404 E0000007 in Okta\'s words', async () => {
    const appId = await bookmarkApp();
    for (const path of ['', '/akmWhatever0000000000', '/akmWhatever0000000000/clone?targetAid=x']) {
      const method = path.endsWith('x') ? 'POST' : 'GET';
      expectOktaError(await call(`/api/v1/apps/0oaNoSuchApp000000000/credentials/keys${path}`, { method }), 404, 'E0000007',
        'Not found: Resource not found: 0oaNoSuchApp000000000 (AppInstance)');
    }
    expectOktaError(await call('/api/v1/apps/0oaNoSuchApp000000000/credentials/keys/generate?validityYears=2', { method: 'POST' }), 404, 'E0000007');
    expectOktaError(await call(`/api/v1/apps/${appId}/credentials/keys/akmNoSuchKey00000000`), 404, 'E0000007',
      'Not found: Resource not found: akmNoSuchKey00000000 (Key)');
    const sdk = await oktaError(apps().getApplicationKey({ appId, keyId: 'akmNoSuchKey00000000' }));
    expect(sdk.status).toBe(404);
    expect(sdk.errorCode).toBe('E0000007');
    // Junk in the path is a missing resource too, never a 500.
    expectOktaError(await call(`/api/v1/apps/${appId}/credentials/keys/${encodeURIComponent('\' or 1=1 --')}`), 404, 'E0000007');
    expectOktaError(await call(`/api/v1/apps/${appId}/credentials/keys/${'x'.repeat(300)}`), 404, 'E0000008');
  });

  it('keeps every org to its own apps and keys', async () => {
    const mine = await bookmarkApp();
    const key = await apps().generateApplicationKey({ appId: mine, validityYears: 2 });
    const theirs = await bookmarkApp(callB);
    const theirKey = await clientB.applicationApi.generateApplicationKey({ appId: theirs, validityYears: 2 });
    // The other org's certificate names the other org.
    expect(inspect(theirKey.x5c![0]!).subject).toBe('CN=globex,OU=SSOProvider,O=Lanyard');

    for (const path of ['', `/${key.kid}`]) {
      expectOktaError(await callB(`/api/v1/apps/${mine}/credentials/keys${path}`), 404, 'E0000007', `Not found: Resource not found: ${mine} (AppInstance)`);
    }
    expectOktaError(await callB(`/api/v1/apps/${mine}/credentials/keys/generate?validityYears=2`, { method: 'POST' }), 404, 'E0000007');
    // A kid of this org asked for through the other org's own app.
    expectOktaError(await callB(`/api/v1/apps/${theirs}/credentials/keys/${key.kid}`), 404, 'E0000007', `Not found: Resource not found: ${key.kid} (Key)`);
    // Cloning across orgs, either way: the target app does not exist where the caller is.
    expectOktaError(await call(`/api/v1/apps/${mine}/credentials/keys/${key.kid}/clone?targetAid=${theirs}`, { method: 'POST' }), 404, 'E0000007',
      `Not found: Resource not found: ${theirs} (AppInstance)`);
    const back = await oktaError(clientB.applicationApi.cloneApplicationKey({ appId: theirs, keyId: theirKey.kid!, targetAid: mine }));
    expect(back.status).toBe(404);
    expect(back.errorSummary).toBe(`Not found: Resource not found: ${mine} (AppInstance)`);
    expect((await collect(await apps().listApplicationKeys({ appId: mine }))).map((k) => k.kid)).toEqual([key.kid]);
    expect((await collect(await clientB.applicationApi.listApplicationKeys({ appId: theirs }))).map((k) => k.kid)).toEqual([theirKey.kid]);
  });

  it('answers callers without a valid token with 401', async () => {
    const appId = await bookmarkApp();
    const key = await apps().generateApplicationKey({ appId, validityYears: 2 });
    const paths: [string, string][] = [
      ['GET', `/api/v1/apps/${appId}/credentials/keys`],
      ['GET', `/api/v1/apps/${appId}/credentials/keys/${key.kid}`],
      ['POST', `/api/v1/apps/${appId}/credentials/keys/generate?validityYears=2`],
      ['POST', `/api/v1/apps/${appId}/credentials/keys/${key.kid}/clone?targetAid=${appId}`],
    ];
    for (const [method, path] of paths) {
      expectOktaError(await call(path, { method, headers: { authorization: '' } }), 401, 'E0000011');
      expectOktaError(await call(path, { method, headers: { authorization: 'SSWS not-a-token' } }), 401, 'E0000011');
    }
    expect(await collect(await apps().listApplicationKeys({ appId }))).toHaveLength(1);
  });

  it('publishes the operations in the OpenAPI document under Okta\'s names', async () => {
    const doc = (await call('/api/v1/openapi.json')).json;
    const base = '/api/v1/apps/{appId}/credentials/keys';
    expect(doc.paths[base].get.operationId).toBe('listApplicationKeys');
    expect(doc.paths[`${base}/generate`].post.operationId).toBe('generateApplicationKey');
    expect(doc.paths[`${base}/{keyId}`].get.operationId).toBe('getApplicationKey');
    expect(doc.paths[`${base}/{keyId}/clone`].post.operationId).toBe('cloneApplicationKey');
    expect(doc.paths[`${base}/generate`].post.responses['201']).toBeDefined();
  });
});

describe('the app key service', () => {
  it('generates a first key on ensure and then returns the newest', async () => {
    const appId = await bookmarkApp();
    const keys = t.lanyard.services.appKeys;
    const first = await keys.ensure(orgId, appId);
    expect(first.ownerType).toBe('app');
    expect(first.status).toBe('ACTIVE');
    expect((await keys.ensure(orgId, appId)).kid).toBe(first.kid);
    const newer = await keys.generate(orgId, appId, 2);
    expect((await keys.ensure(orgId, appId)).kid).toBe(newer.kid);
    expect((await keys.list(orgId, appId)).map((k) => k.kid)).toEqual([first.kid, newer.kid]);
    await expect(keys.get(orgId, appId, 'akmNoSuchKey00000000')).rejects.toMatchObject({ code: 'resource.not_found' });
    await expect(keys.generate(orgId, appId, 11)).rejects.toMatchObject({ code: 'request.validation_failed' });
  });

  it('writes GeneralizedTime for validity past 2049, as RFC 5280 asks', async () => {
    const { deps } = t.lanyard;
    const clock = { now: () => new Date('2045-03-04T05:06:07.890Z') };
    const keys = createAppKeyService({ ...deps, clock }, createVault(deps.masterKey, deps.store.dataKeys, clock.now));
    const appId = await bookmarkApp();
    const key = await keys.generate(orgId, appId, 10);
    const cert = inspect(String((key.publicJwk.x5c as string[])[0]));
    expect(cert.notBefore).toBe('2045-03-04T05:06:07.000Z');
    expect(cert.notAfter).toBe('2055-03-04T05:06:07.000Z');
    expect(key.publicJwk.expiresAt).toBe('2055-03-04T05:06:07.000Z');
    // 0x18 is GeneralizedTime: the notAfter is written as one.
    expect(openssl(['asn1parse', '-in', cert.file])).toMatch(/GENERALIZEDTIME\s*:20550304050607Z/);
    await keys.remove(orgId, appId);
  });
});
