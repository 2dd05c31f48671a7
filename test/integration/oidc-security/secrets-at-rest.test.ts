/**
 * What an attacker with a copy of the database learns: no client secret in the clear (DESIGN §7:
 * encrypted, not hashed, so HS256 still works), and no private part of any signing key. The whole
 * database is read the way an attacker would, bypassing Lanyard: the SQLite file with node:sqlite,
 * or every table of the PostgreSQL database with pg.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { SignJWT } from 'jose';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { api, startLanyard, storeKind, type TestLanyard } from '../../helpers/lanyard.ts';
import { BrowserlessClient } from '../../helpers/browserless.ts';
import { createOidcApp, createUser, discover, type TestApp } from '../../helpers/oidc.ts';
import { authorize, basic, codeRequest, firstOrg, person } from './support.ts';

let t: TestLanyard;
let userId: string;
const chosenSecret = `chosen-${randomUUID()}-${randomUUID()}`;
let basicApp: TestApp;
let jwtApp: TestApp;
let chosenApp: TestApp;
let extraSecret: string;

/** Every row of every table, as an attacker holding the database reads it. */
async function everyRow(): Promise<{ table: string; row: Record<string, unknown> }[]> {
  const out: { table: string; row: Record<string, unknown> }[] = [];
  if (storeKind() === 'sqlite') {
    const db = new DatabaseSync(t.lanyard.sqlitePath ?? join(t.dataDir, 'lanyard.db'), { readOnly: true });
    try {
      const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[];
      for (const { name } of tables) {
        for (const row of db.prepare(`select * from "${name}"`).all()) out.push({ table: name, row: row as Record<string, unknown> });
      }
    } finally {
      db.close();
    }
  } else {
    const db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    try {
      const tables = (await db.query("select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'")).rows;
      for (const { table_name: name } of tables as { table_name: string }[]) {
        for (const row of (await db.query(`select * from "${name}"`)).rows) out.push({ table: name, row });
      }
    } finally {
      await db.end();
    }
  }
  return out;
}

/** Where in the database a needle occurs (as text, or inside a binary column). */
async function occurrences(needles: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const { table, row } of await everyRow()) {
    for (const [column, value] of Object.entries(row)) {
      if (value === null || value === undefined) continue;
      const haystack = value instanceof Uint8Array ? Buffer.from(value) : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');
      for (const needle of needles) if (haystack.includes(needle)) found.push(`${table}.${column} contains ${needle.slice(0, 12)}…`);
    }
  }
  return found;
}

beforeAll(async () => {
  t = await startLanyard();
  userId = await createUser(t, person.username, person.password);
  basicApp = await createOidcApp(t, { label: 'Basic App', assign: [userId] });
  jwtApp = await createOidcApp(t, { label: 'JWT App', assign: [userId], credentials: { token_endpoint_auth_method: 'client_secret_jwt' } });
  chosenApp = await createOidcApp(t, { label: 'Chosen Secret', assign: [userId], credentials: { client_secret: chosenSecret } });
  expect(chosenApp.clientSecret).toBe(chosenSecret);
  const created = await api(t)(`/api/v1/apps/${basicApp.id}/credentials/secrets`, { method: 'POST', json: {} });
  expect(created.status).toBe(201);
  extraSecret = created.json.client_secret;

  // Use every secret, so whatever the engine and the logs keep of a request is in the database too.
  for (const [app, auth] of [
    [basicApp, client.ClientSecretBasic()], [jwtApp, client.ClientSecretJwt()], [chosenApp, client.ClientSecretPost()],
  ] as const) {
    for (const issuer of [t.url, `${t.url}/oauth2/default`]) {
      const config = await discover(issuer, app, auth);
      const { params, checks } = await codeRequest({ scope: 'openid offline_access' });
      // The client_secret_jwt app pushes its request (authenticating with an HS256 assertion).
      const url = app === jwtApp ? await client.buildAuthorizationUrlWithPAR(config, params) : client.buildAuthorizationUrl(config, params);
      const tokens = await client.authorizationCodeGrant(config, await authorize(new BrowserlessClient(t.url), url, person), checks);
      await client.refreshTokenGrant(config, tokens.refresh_token!);
      if (app === jwtApp) {
        // And sends a request object signed HS256 with its secret.
        const jar = await codeRequest();
        const request = await new SignJWT({ ...jar.params, response_type: 'code', client_id: app.clientId }).setProtectedHeader({ alg: 'HS256' })
          .setIssuer(app.clientId).setAudience(issuer).setIssuedAt().setExpirationTime('5m').setJti(randomUUID())
          .sign(new TextEncoder().encode(app.clientSecret!));
        const jarUrl = new URL(config.serverMetadata().authorization_endpoint!);
        jarUrl.search = new URLSearchParams({ client_id: app.clientId, request }).toString();
        await client.authorizationCodeGrant(config, await authorize(new BrowserlessClient(t.url), jarUrl, person), jar.checks);
      }
    }
  }
  const introspect = await fetch(`${t.url}/oauth2/v1/introspect`, {
    method: 'POST', headers: { ...basic(basicApp.clientId, extraSecret), 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=x',
  });
  expect(introspect.status).toBe(200);
});
afterAll(async () => t?.close());

describe(`secrets at rest (${storeKind() === 'sqlite' ? 'every table of the SQLite file' : 'every table of the PostgreSQL database'})`, () => {
  it('no client secret appears in the clear, nor base64-encoded as in a Basic header', async () => {
    const secrets = [basicApp.clientSecret!, jwtApp.clientSecret!, chosenSecret, extraSecret];
    const needles = secrets.flatMap((s) => [s, Buffer.from(s).toString('base64'), Buffer.from(s).toString('base64url')]);
    needles.push(Buffer.from(`${basicApp.clientId}:${basicApp.clientSecret}`).toString('base64'));
    // The scan sees the secrets' rows (sealed) and finds what is stored in the clear (the client ids).
    expect((await everyRow()).filter((r) => r.table === 'app_client_secrets').length).toBe(secrets.length);
    expect(await occurrences([jwtApp.clientId])).not.toEqual([]);
    expect(await occurrences(needles)).toEqual([]);
  });

  it('signing keys keep no private part in the clear', async () => {
    const org = await firstOrg(t);
    const rows = (await everyRow()).filter((r) => r.table === 'signing_keys');
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const { row } of rows) expect(JSON.stringify(row)).not.toMatch(/"d\\?":/);
    // The private exponents (and CRT parameters) of every key appear nowhere in the database.
    const keys = [
      ...await t.lanyard.store.forOrg(org.id).signingKeys.listForOwner('as', 'org'),
      ...await t.lanyard.store.forOrg(org.id).signingKeys.listForOwner('as', 'default'),
    ];
    const privates = await t.lanyard.services.signingKeys.privateJwks(org.id, keys);
    expect(privates.length).toBe(keys.length);
    const needles = privates.flatMap((k) => [k.d!, k.p!, k.q!]);
    expect(needles.every((n) => typeof n === 'string' && n.length > 40)).toBe(true);
    expect(await occurrences(needles)).toEqual([]);
  });

  it('the master key is not in the database', async () => {
    expect(await occurrences([t.lanyard.masterKey.key.toString('hex'), t.lanyard.masterKey.key.toString('base64')])).toEqual([]);
  });
});
