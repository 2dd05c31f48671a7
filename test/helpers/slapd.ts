/**
 * A real OpenLDAP `slapd` for directory tests: built in a temp dir from a slapd.conf (mdb backend,
 * Debian's core, cosine, inetorgperson and nis schemas), seeded offline with `slapadd`, listening
 * on a free 127.0.0.1 port. `stop()` ends it (and `start()` brings it back on the same port, for
 * tests of an unreachable directory); `close()` ends it and removes the dir. A missing slapd fails.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { freePort, waitFor } from './ports.ts';

const slapdPath = '/usr/sbin/slapd';
const slapaddPath = '/usr/sbin/slapadd';

export const suffix = 'dc=example,dc=org';
export const rootDn = `cn=admin,${suffix}`;
export const rootPassword = 'root-Secret-1';
export const serviceDn = `cn=lanyard,ou=services,${suffix}`;
export const servicePassword = 'service-Secret-2';
export const peopleDn = `ou=people,${suffix}`;
export const groupsDn = `ou=groups,${suffix}`;

export interface SeedUser {
  readonly uid: string;
  readonly givenName: string;
  readonly sn: string;
  readonly mail: string;
  readonly password: string;
}

export interface SeedGroup {
  readonly cn: string;
  readonly members: readonly string[];
}

export interface Slapd {
  readonly url: string;
  readonly port: number;
  userDn(uid: string): string;
  groupDn(cn: string): string;
  /** Runs `work` with a client bound as the directory's root (for changes during a test). */
  asRoot<T>(work: (client: Client) => Promise<T>): Promise<T>;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

function ldifOf(users: readonly SeedUser[], groups: readonly SeedGroup[]): string {
  const blocks = [
    `dn: ${suffix}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example`,
    `dn: ${peopleDn}\nobjectClass: organizationalUnit\nou: people`,
    `dn: ${groupsDn}\nobjectClass: organizationalUnit\nou: groups`,
    `dn: ou=services,${suffix}\nobjectClass: organizationalUnit\nou: services`,
    `dn: ${serviceDn}\nobjectClass: simpleSecurityObject\nobjectClass: organizationalRole\ncn: lanyard\nuserPassword: ${servicePassword}`,
    ...users.map((u) => [
      `dn: uid=${u.uid},${peopleDn}`, 'objectClass: inetOrgPerson', `uid: ${u.uid}`, `cn: ${u.givenName} ${u.sn}`,
      `givenName: ${u.givenName}`, `sn: ${u.sn}`, `mail: ${u.mail}`, `userPassword: ${u.password}`,
    ].join('\n')),
    ...groups.map((g) => [
      `dn: cn=${g.cn},${groupsDn}`, 'objectClass: groupOfNames', `cn: ${g.cn}`,
      // groupOfNames needs a member; an empty group names the suffix, as is usual.
      ...(g.members.length > 0 ? g.members.map((m) => `member: uid=${m},${peopleDn}`) : [`member: ${suffix}`]),
    ].join('\n')),
  ];
  return `${blocks.join('\n\n')}\n`;
}

function configOf(dir: string): string {
  return [
    'include /etc/ldap/schema/core.schema',
    'include /etc/ldap/schema/cosine.schema',
    'include /etc/ldap/schema/inetorgperson.schema',
    'include /etc/ldap/schema/nis.schema',
    `pidfile ${join(dir, 'slapd.pid')}`,
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    'database mdb',
    `suffix "${suffix}"`,
    `rootdn "${rootDn}"`,
    `rootpw ${rootPassword}`,
    `directory ${join(dir, 'data')}`,
    'maxsize 104857600',
    'access to attrs=userPassword by anonymous auth by self write by * none',
    `access to * by dn.exact="${serviceDn}" read by self read by * none`,
  ].join('\n');
}

export async function startSlapd(seed: { users: readonly SeedUser[]; groups: readonly SeedGroup[] }): Promise<Slapd> {
  if (!existsSync(slapdPath) || !existsSync(slapaddPath)) {
    throw new Error(`OpenLDAP slapd is needed for directory tests (${slapdPath}, ${slapaddPath}); install the slapd package`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'lanyard-slapd-'));
  mkdirSync(join(dir, 'data'));
  const conf = join(dir, 'slapd.conf');
  writeFileSync(conf, configOf(dir));
  writeFileSync(join(dir, 'seed.ldif'), ldifOf(seed.users, seed.groups));
  const added = spawnSync(slapaddPath, ['-f', conf, '-l', join(dir, 'seed.ldif')], { encoding: 'utf8' });
  if (added.status !== 0) throw new Error(`slapadd failed: ${added.stderr}`);
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const reachable = async () => {
    const client = new Client({ url, connectTimeout: 500 });
    try {
      await client.bind(rootDn, rootPassword);
      return true;
    } finally {
      await client.unbind().catch(() => {});
    }
  };

  async function start(): Promise<void> {
    // -d 0 keeps slapd in the foreground, so the test owns the process and its exit.
    child = spawn(slapdPath, ['-d', '0', '-f', conf, '-h', `${url}/`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = child;
    await waitFor(async () => {
      if (exited.exitCode !== null) throw new Error(`slapd exited: ${stderr}`);
      return reachable();
    }, 10_000, 'slapd to answer');
  }

  async function stop(): Promise<void> {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  }

  await start();
  return {
    url, port,
    userDn: (uid) => `uid=${uid},${peopleDn}`,
    groupDn: (cn) => `cn=${cn},${groupsDn}`,
    asRoot: async (work) => {
      const client = new Client({ url });
      try {
        await client.bind(rootDn, rootPassword);
        return await work(client);
      } finally {
        await client.unbind().catch(() => {});
      }
    },
    stop, start,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
