/**
 * The system log: every change, sign-in and admin action becomes an Okta LogEvent, queryable with
 * Okta's parameters; and no secret — password, API token, session cookie — reaches the system log
 * or the process log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/app/logger.ts';
import { adminPassword, api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';

let t: TestLanyard;
let call: ReturnType<typeof api>;
const processLog: string[] = [];
const secrets: string[] = [];
const userPassword = 'Quiet-Lantern-Seven-7';
const newPassword = 'Brighter-Lantern-Eight-8';

async function signIn(username: string, password: string): Promise<string | undefined> {
  const page = await fetch(`${t.url}/login`);
  const csrf = /lanyard_csrf=([^;]+)/.exec(page.headers.get('set-cookie') ?? '')![1]!;
  const res = await fetch(`${t.url}/login`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `lanyard_csrf=${csrf}` },
    body: new URLSearchParams({ csrf, username, password }),
  });
  const sid = /lanyard_sid=([^;]+)/.exec(res.headers.getSetCookie().join('\n'))?.[1];
  if (sid) secrets.push(sid);
  return sid;
}

const until = () => encodeURIComponent(new Date(Date.now() + 60_000).toISOString());

async function events(filter: string): Promise<any[]> {
  const res = await call(`/api/v1/logs?until=${until()}&filter=${encodeURIComponent(filter)}`);
  expect(res.status).toBe(200);
  return res.json;
}

beforeAll(async () => {
  const sink = new Writable({ write(chunk, _encoding, done) { processLog.push(chunk.toString()); done(); } });
  t = await startLanyard({ logger: createLogger('debug', sink) });
  call = api(t);
  secrets.push(t.token, adminPassword, userPassword, newPassword);
});
afterAll(async () => t?.close());

describe('what the system log records', () => {
  let userId: string;
  let groupId: string;

  it('records user creation, profile and password changes, and every lifecycle step', async () => {
    const created = await call('/api/v1/users', {
      method: 'POST',
      json: { profile: { login: 'logged@example.com', email: 'logged@example.com', firstName: 'Log', lastName: 'Ged' }, credentials: { password: { value: userPassword } } },
    });
    userId = created.json.id;
    await call(`/api/v1/users/${userId}`, { method: 'POST', json: { profile: { title: 'Auditor' } } });
    await call(`/api/v1/users/${userId}`, { method: 'POST', json: { credentials: { password: { value: newPassword } } } });
    for (const op of ['suspend', 'unsuspend', 'expire_password', 'deactivate', 'activate']) {
      const res = await call(`/api/v1/users/${userId}/lifecycle/${op}?sendEmail=false`, { method: 'POST' });
      expect(res.status, op).toBe(200);
    }
    const types = (await events(`target.id eq "${userId}"`)).map((e) => e.eventType);
    expect(types).toEqual([
      'user.lifecycle.create', 'user.lifecycle.activate', 'user.account.update_profile', 'user.account.reset_password',
      'user.lifecycle.suspend', 'user.lifecycle.unsuspend', 'user.account.expire_password', 'user.lifecycle.deactivate',
      'user.lifecycle.activate',
    ]);
    const create = (await events(`eventType eq "user.lifecycle.create" and target.id eq "${userId}"`))[0];
    expect(create).toMatchObject({
      version: '0', severity: 'INFO', displayMessage: 'Create Okta user',
      actor: { type: 'User', alternateId: 'admin@example.com' },
      outcome: { result: 'SUCCESS' },
      target: [{ id: userId, type: 'User', alternateId: 'logged@example.com', displayName: 'Log Ged' }],
      client: { ipAddress: expect.stringMatching(/127\.0\.0\.1/) },
      transaction: { type: 'WEB' },
    });
    expect(create.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('records group changes and memberships with both targets', async () => {
    groupId = (await call('/api/v1/groups', { method: 'POST', json: { profile: { name: 'Audit' } } })).json.id;
    await call(`/api/v1/groups/${groupId}/users/${userId}`, { method: 'PUT' });
    await call(`/api/v1/groups/${groupId}/users/${userId}`, { method: 'DELETE' });
    await call(`/api/v1/groups/${groupId}`, { method: 'PUT', json: { profile: { name: 'Audit Team' } } });
    await call(`/api/v1/groups/${groupId}`, { method: 'DELETE' });
    const types = (await events(`target.id eq "${groupId}"`)).map((e) => e.eventType);
    expect(types).toEqual(['group.lifecycle.create', 'group.user_membership.add', 'group.user_membership.remove', 'group.profile.update', 'group.lifecycle.delete']);
    const add = (await events(`eventType eq "group.user_membership.add" and target.id eq "${groupId}"`))[0];
    expect(add.target.map((x: any) => x.type)).toEqual(['User', 'UserGroup']);
  });

  it('records sign-in success and failure, lockout and sign-out', async () => {
    await call('/api/v1/org/settings', { method: 'PUT', json: { lockout: { maxAttempts: 2, autoUnlockMinutes: null } } });
    const locked = (await call('/api/v1/users', {
      method: 'POST', json: { profile: { login: 'locky@example.com', email: 'locky@example.com', firstName: 'Lo', lastName: 'Cky' }, credentials: { password: { value: userPassword } } },
    })).json;
    expect(await signIn('locky@example.com', userPassword)).toBeDefined();
    expect(await signIn('locky@example.com', 'Wrong-Password-1')).toBeUndefined();
    expect(await signIn('locky@example.com', 'Wrong-Password-2')).toBeUndefined();
    expect(await signIn('nobody@example.com', 'Whatever-Password-3')).toBeUndefined();
    const starts = await events(`eventType eq "user.session.start" and target.id eq "${locked.id}"`);
    expect(starts.map((e) => [e.outcome.result, e.outcome.reason])).toEqual([['SUCCESS', null], ['FAILURE', 'INVALID_CREDENTIALS'], ['FAILURE', 'LOCKED_OUT']]);
    expect(await events(`eventType eq "user.account.lock" and target.id eq "${locked.id}"`)).toHaveLength(1);
    const unknown = await events('eventType eq "user.session.start" and actor.alternateId eq "nobody@example.com"');
    expect(unknown[0]).toMatchObject({ outcome: { result: 'FAILURE', reason: 'INVALID_CREDENTIALS' }, severity: 'WARN' });
  });

  it('records admin actions: API tokens and org settings', async () => {
    const token = (await call('/api/v1/api-tokens', { method: 'POST', json: { name: 'audited' } })).json;
    secrets.push(token.token);
    await call(`/api/v1/api-tokens/${token.id}`, { method: 'DELETE' });
    expect((await events(`target.id eq "${token.id}"`)).map((e) => e.eventType)).toEqual(['system.api_token.create', 'system.api_token.revoke']);
    expect((await events('eventType eq "system.org.settings.update"')).length).toBeGreaterThanOrEqual(1);
  });
});

describe('querying the log as Okta\'s /api/v1/logs', () => {
  it('pages with limit and a next link, in both orders', async () => {
    const first = await call(`/api/v1/logs?limit=3&until=${until()}`);
    expect(first.json).toHaveLength(3);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link')!)![1]!;
    const second = await call(next.replace(t.url, ''));
    expect(second.json).toHaveLength(3);
    expect(second.json[0].uuid > first.json[2].uuid).toBe(true);
    const descending = await call(`/api/v1/logs?limit=3&sortOrder=DESCENDING&until=${until()}`);
    expect(descending.json[0].published >= descending.json[2].published).toBe(true);
  });

  it('always gives a polling request (no until) a next link, even on an empty page', async () => {
    const far = encodeURIComponent(new Date(Date.now() + 3600_000).toISOString());
    const res = await call(`/api/v1/logs?since=${far}`);
    expect(res.json).toEqual([]);
    expect(res.headers.get('link')).toMatch(/rel="next"/);
  });

  it('finds events by q keywords, all of which must match', async () => {
    const res = await call(`/api/v1/logs?until=${until()}&q=${encodeURIComponent('audit team')}`);
    expect(res.json.map((e: any) => e.eventType)).toEqual(['group.profile.update', 'group.lifecycle.delete']);
  });

  it('honours since and until', async () => {
    const past = encodeURIComponent('2001-01-01T00:00:00Z');
    const res = await call(`/api/v1/logs?since=${past}&until=${encodeURIComponent('2001-01-02T00:00:00Z')}`);
    expect(res.json).toEqual([]);
    expect(res.headers.get('link')).not.toMatch(/rel="next"/);
  });
});

describe('secrets stay out of every log', () => {
  it('has no password, token or session id in the system log or the process log', async () => {
    const everything = await call(`/api/v1/logs?limit=1000&until=${until()}&since=${encodeURIComponent('2000-01-01T00:00:00Z')}`);
    const systemLog = JSON.stringify(everything.json);
    const output = processLog.join('');
    expect(output.length).toBeGreaterThan(1000);
    for (const secret of secrets) {
      expect(systemLog).not.toContain(secret);
      expect(output).not.toContain(secret);
    }
  });
});
