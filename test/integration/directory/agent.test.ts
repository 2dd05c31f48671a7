/**
 * A directory in mode AGENT: Lanyard never connects to it; `lanyard agent` processes (spawned as
 * the command line runs them) enrol with one-time tokens, long-poll for work, and do the test,
 * the import and the password checks against a real slapd. With two agents, killing one leaves
 * sign-in working; with none, sign-in says the directory cannot be reached.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';
import { groupsDn, peopleDn, serviceDn, servicePassword, startSlapd, type SeedUser, type Slapd } from '../../helpers/slapd.ts';
import { eventually } from '../../helpers/eventually.ts';
import { BrowserlessClient, textOf } from '../../helpers/browserless.ts';

const node = resolve('node_modules/.bin/node');
const main = resolve('src/main.ts');
const seedUsers: SeedUser[] = ['ann', 'bob', 'carol', 'dave'].map((uid, i) => ({
  uid, givenName: uid.toUpperCase(), sn: `Agent${i}`, mail: `${uid}@example.org`, password: `Agent-Secret-${uid}-3`,
}));

let t: TestLanyard;
let ldap: Slapd;
let call: ReturnType<typeof api>;
let directoryId: string;
let stateDir: string;
let firstAgent: ChildProcess;
const agents: { child: ChildProcess; output: string[] }[] = [];

function spawnAgent(args: string[]) {
  const child = spawn(node, [main, 'agent', ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
  const output: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const agent = { child, output };
  agents.push(agent);
  return agent;
}

const exited = (child: ChildProcess) => new Promise<number | null>((done) => {
  if (child.exitCode !== null) return done(child.exitCode);
  child.once('exit', (code) => done(code));
});

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = exited(child);
  child.kill('SIGKILL');
  await gone;
}

async function enrolAgent(name: string) {
  const token = await call(`/api/v1/directories/${directoryId}/agents/tokens`, { method: 'POST' });
  expect(token.status, token.text).toBe(201);
  const state = join(stateDir, `${name}.json`);
  const agent = spawnAgent(['--url', t.url, '--token', token.json.token, '--state', state, '--name', name]);
  await eventually(() => call(`/api/v1/directories/${directoryId}/agents`), (r) => r.json.some((a: { name: string }) => a.name === name), 20_000);
  // The agent writes its state file once Lanyard answered the enrolment.
  await eventually(() => existsSync(state), Boolean, 5000);
  return { ...agent, token: token.json.token as string, state };
}

const authn = (username: string, password: string) => fetch(`${t.url}/api/v1/authn`, {
  method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ username, password }),
}).then(async (r) => ({ status: r.status, json: await r.json() as Record<string, any> }));

beforeAll(async () => {
  ldap = await startSlapd({ users: seedUsers, groups: [{ cn: 'staff', members: ['ann', 'bob', 'carol', 'dave'] }] });
  t = await startLanyard();
  call = api(t);
  stateDir = mkdtempSync(join(tmpdir(), 'lanyard-agent-'));
  const created = await call('/api/v1/directories', {
    method: 'POST',
    json: {
      name: 'Branch LDAP', preset: 'OPENLDAP', mode: 'AGENT', url: ldap.url, bindDn: serviceDn, bindPassword: servicePassword,
      userBaseDn: peopleDn, groupBaseDn: groupsDn, loginSuffix: 'example.org', pageSize: 2,
    },
  });
  expect(created.status, created.text).toBe(201);
  directoryId = created.json.id;
});
afterAll(async () => {
  for (const agent of agents) await kill(agent.child);
  await t?.close();
  await ldap?.close();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe('directory agents', () => {
  it('refuses plain http to a host other than loopback', async () => {
    const agent = spawnAgent(['--url', 'http://lanyard.example.com', '--token', 'x', '--state', join(stateDir, 'never.json')]);
    expect(await exited(agent.child)).toBe(1);
    expect(agent.output.join('')).toMatch(/--url must be https:\/\//);
  });

  it('enrols with a one-time token, keeps its secret in a 0600 state file, and does the work: test, import, sign-in', async () => {
    const first = await enrolAgent('agent-one');
    firstAgent = first.child;
    expect(statSync(first.state).mode & 0o777).toBe(0o600);
    const reuse = await fetch(`${t.url}/api/v1/directory-agents/enroll`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: first.token, name: 'thief' }),
    });
    expect(reuse.status).toBe(401);
    const listed = (await call(`/api/v1/directories/${directoryId}/agents`)).json;
    expect(listed).toHaveLength(1);
    expect(listed[0].lastSeen).toMatch(/^\d{4}-/);

    const report = await call(`/api/v1/directories/${directoryId}/test`, { method: 'POST' });
    expect(report.json, report.text).toMatchObject({ ok: true, users: 2, groups: 1 });

    const started = await call(`/api/v1/directories/${directoryId}/imports`, { method: 'POST', json: {} });
    expect(started.status).toBe(202);
    const done = await eventually(() => call(`/api/v1/directories/${directoryId}/imports/${started.json.id}`), (r) => r.json.status !== 'RUNNING', 30_000);
    expect(done.json.status, done.text).toBe('SUCCEEDED');
    expect(done.json.progress.users).toMatchObject({ read: 4, created: 4 });
    expect(done.json.progress.memberships.added).toBe(4);
    const ann = (await call('/api/v1/users/ann@example.org')).json;
    expect(ann.credentials.provider).toEqual({ type: 'LDAP', name: 'Branch LDAP' });

    expect((await authn('ann@example.org', 'Agent-Secret-ann-3')).json.status).toBe('SUCCESS');
    expect((await authn('ann@example.org', 'wrong-password')).status).toBe(401);
  });

  it('with two agents, one killed, the other takes the work; with none, sign-in says the directory is unreachable', async () => {
    const second = await enrolAgent('agent-two');
    await kill(firstAgent);
    for (const login of ['bob', 'carol']) {
      expect((await authn(`${login}@example.org`, `Agent-Secret-${login}-3`)).json.status).toBe('SUCCESS');
    }
    await kill(second.child);
    const client = new BrowserlessClient(t.url);
    const page = await client.get('/login');
    const refused = await client.submit(page.final, { username: 'dave@example.org', password: 'Agent-Secret-dave-3' });
    expect(refused.final.status).toBe(503);
    expect(textOf(refused.final.body)).toContain('Your organization\'s directory can\'t be reached right now.');
  });

  it('revokes an agent: its secret stops working', async () => {
    const listed = (await call(`/api/v1/directories/${directoryId}/agents`)).json;
    const one = listed.find((a: { name: string }) => a.name === 'agent-one');
    expect((await call(`/api/v1/directories/${directoryId}/agents/${one.id}`, { method: 'DELETE' })).status).toBe(204);
    const restarted = spawnAgent(['--url', t.url, '--state', join(stateDir, 'agent-one.json')]);
    expect(await exited(restarted.child)).toBe(1);
    expect(restarted.output.join('')).toMatch(/does not know this agent/);
  });
});
