/**
 * The `lanyard` command line: serve, migrate, org/user/token creation, backups and the browser
 * extension's configured copy. Output meant for people goes to stderr (stdout carries the JSON
 * logs); secrets generated here are shown once.
 */
import { Command, CommanderError } from 'commander';
import { loadConfig, ConfigError } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { createLogger } from '../app/logger.ts';
import { createLanyard, type Lanyard } from '../app/lanyard.ts';
import { version } from '../app/version.ts';
import { isAppError } from '../kernel/errors.ts';
import { orgUrl } from '../domain/org-url.ts';
import { systemCaller } from '../services/bootstrap.ts';
import { generatePassword } from '../services/user-credentials.ts';
import { backupSqlite } from '../storage/backup.ts';
import { hostname } from 'node:os';
import { runAgent } from '../agent/agent.ts';
import { writeExtensionCopy } from './extension-copy.ts';
import { readFileSync } from 'node:fs';
import { decodeMasterKey } from '../config/schema.ts';
import { rotateMasterKey } from '../services/master-key-rotation.ts';

export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (line: string) => void;
  readonly onShutdownSignal: (handler: () => void) => void;
}

function describeError(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (isAppError(error)) return [error.message, ...error.causes].join(' — ');
  return error instanceof Error ? error.message : String(error);
}

export function buildProgram(io: CliIo): Command {
  const config = (): Config => loadConfig(io.env);
  const open = async (options: { bootstrap?: boolean } = {}): Promise<Lanyard> =>
    createLanyard({ config: config(), skipBootstrap: options.bootstrap === false });

  /** Runs a command against an opened Lanyard and always closes it. */
  const withLanyard = (work: (lanyard: Lanyard, ...args: any[]) => Promise<void>) => async (...args: any[]) => {
    const lanyard = await open();
    try {
      await work(lanyard, ...args);
    } finally {
      await lanyard.close();
    }
  };

  const program = new Command('lanyard')
    .description('Lanyard: a self-hosted identity provider with an app integration network')
    .version(version)
    .exitOverride()
    .configureOutput({ writeErr: (s) => io.out(s.trimEnd()), writeOut: (s) => io.out(s.trimEnd()) });

  program.command('serve', { isDefault: true })
    .description('start the server (applies migrations; on an empty store, creates the first org and admin)')
    .action(async () => {
      const cfg = config();
      const logger = createLogger(cfg.logLevel);
      const lanyard = await createLanyard({ config: cfg, logger });
      const { port, host } = await lanyard.listen();
      const url = cfg.baseUrl.origin;
      io.out(`Lanyard ${version} is listening on ${host}:${port}; the first org is at ${url} (admin console: ${url}/admin)`);
      const boot = lanyard.bootstrap;
      if (boot.created) {
        io.out('First start: created the first org and its super-admin.');
        io.out(`  Sign in at   ${url}/login   (your apps)   or   ${url}/admin   (the admin console)`);
        io.out(`  Username     ${boot.email}`);
        if (boot.generatedPassword) io.out(`  Password     ${boot.generatedPassword}   (shown once; keep it or change it)`);
        if (boot.generatedToken) io.out(`  API token    ${boot.generatedToken}   (shown once; send it as Authorization: SSWS <token>)`);
      }
      if (lanyard.masterKey.generated) io.out(`Generated a master key at ${lanyard.masterKey.path}; back it up with the database.`);
      await new Promise<void>((resolve) => {
        io.onShutdownSignal(() => {
          logger.info({}, 'shutting down');
          lanyard.close().then(resolve, resolve);
        });
      });
    });

  program.command('migrate').description('apply pending database migrations and exit')
    .action(async () => {
      const lanyard = await open({ bootstrap: false });
      await lanyard.close();
      io.out('Database is up to date.');
    });

  const org = program.command('org').description('manage orgs');
  org.command('create <name>').description('add an org answering at <name>.<base host> (or --domain), with its first admin')
    .option('--display-name <text>', 'name shown on its pages')
    .option('--domain <host>', 'custom domain the org answers on')
    .option('--admin-email <email>', 'login of its first super-admin', 'admin@example.com')
    .action(withLanyard(async (lanyard, name: string, options: { displayName?: string; domain?: string; adminEmail: string }) => {
      const created = await lanyard.services.orgs.create({ name, displayName: options.displayName, customDomain: options.domain });
      const caller = systemCaller(created);
      const password = generatePassword();
      const admin = await lanyard.services.users.create(caller, {
        profile: { login: options.adminEmail, email: options.adminEmail, firstName: 'Org', lastName: 'Administrator' },
        credentials: { password: { value: password } },
      }, { activate: true });
      await lanyard.store.forOrg(created.id).users.addRole(admin.id, 'SUPER_ADMIN', new Date().toISOString());
      const { token } = await lanyard.services.tokens.create(caller, { name: 'bootstrap', userId: admin.id });
      io.out(`Created org ${created.name} (${created.id}) at ${orgUrl(created, lanyard.config.baseUrl)}`);
      io.out(`  Username     ${options.adminEmail}`);
      io.out(`  Password     ${password}   (shown once)`);
      io.out(`  API token    ${token}   (shown once)`);
    }));
  org.command('list').description('list orgs')
    .action(withLanyard(async (lanyard) => {
      for (const o of await lanyard.services.orgs.list()) io.out(`${o.id}  ${o.name}  ${orgUrl(o, lanyard.config.baseUrl)}`);
    }));

  program.command('user').description('manage users').command('create')
    .description('create an active user with a password')
    .requiredOption('--login <email>', 'login (an email address)')
    .requiredOption('--first-name <text>', 'first name')
    .requiredOption('--last-name <text>', 'last name')
    .option('--email <email>', 'email (defaults to the login)')
    .option('--org <name>', 'org name', 'default')
    .option('--admin', 'make the user a super-admin')
    .action(withLanyard(async (lanyard, options: { login: string; firstName: string; lastName: string; email?: string; org: string; admin?: boolean }) => {
      const target = await lanyard.services.orgs.requireByName(options.org);
      const password = io.env.LANYARD_NEW_USER_PASSWORD ?? generatePassword();
      const user = await lanyard.services.users.create(systemCaller(target), {
        profile: { login: options.login, email: options.email ?? options.login, firstName: options.firstName, lastName: options.lastName },
        credentials: { password: { value: password } },
      }, { activate: true });
      if (options.admin) await lanyard.store.forOrg(target.id).users.addRole(user.id, 'SUPER_ADMIN', new Date().toISOString());
      io.out(`Created user ${user.profile.login} (${user.id})`);
      if (!io.env.LANYARD_NEW_USER_PASSWORD) io.out(`  Password     ${password}   (shown once)`);
    }));

  program.command('token').description('manage API tokens').command('create')
    .description('create an API token for an administrator')
    .requiredOption('--user <login>', 'the administrator the token acts as')
    .option('--name <text>', 'token name', 'cli')
    .option('--org <name>', 'org name', 'default')
    .action(withLanyard(async (lanyard, options: { user: string; name: string; org: string }) => {
      const target = await lanyard.services.orgs.requireByName(options.org);
      const { record, token } = await lanyard.services.tokens.create(systemCaller(target), { name: options.name, userId: options.user });
      io.out(`Created API token ${record.name} (${record.id})`);
      io.out(`  API token    ${token}   (shown once)`);
    }));

  program.command('agent').description('run a directory agent beside an LDAP or Active Directory server; it connects out to Lanyard only')
    .requiredOption('--url <org url>', 'the org\'s Lanyard URL (https; plain http only to a loopback host)')
    .option('--token <token>', 'a one-time enrolment token (POST /api/v1/directories/{id}/agents/tokens); not needed once enrolled')
    .option('--state <file>', 'where the agent keeps its id and secret (mode 0600)', 'lanyard-agent.json')
    .option('--name <text>', 'the name Lanyard lists the agent under', hostname())
    .action(async (options: { url: string; token?: string; state: string; name: string }) => {
      const stop = new AbortController();
      io.onShutdownSignal(() => stop.abort());
      await runAgent({ url: options.url, token: options.token, statePath: options.state, name: options.name, log: io.out }, stop.signal);
    });

  program.command('extension').description('write a copy of the browser extension that trusts one Lanyard (load it unpacked, or pack it for your browsers)')
    .requiredOption('--url <org url>', 'the Lanyard URL people sign in at (https; plain http only to a loopback host)')
    .requiredOption('--out <dir>', 'an empty or new directory for the copy')
    .option('--app-origin <origin...>', 'limit filling to these app origins (default: any http(s) site)')
    .action((options: { url: string; out: string; appOrigin?: string[] }) => {
      const hosts = writeExtensionCopy({ url: options.url, out: options.out, appOrigins: options.appOrigin ?? [] });
      io.out(`Extension written to ${options.out}; it trusts ${new URL(options.url).origin} and may fill on ${hosts.slice(1).join(', ')}.`);
    });

  program.command('master-key').description('manage the master key').command('rotate')
    .description('re-wrap every org\'s data keys under a new master key, in one transaction; then start Lanyard with the new key')
    .requiredOption('--new-key-file <file>', 'file holding the new key: 32 random bytes as 64 hex characters (`openssl rand -hex 32`)')
    .action(async (options: { newKeyFile: string }) => {
      const newKey = decodeMasterKey(readFileSync(options.newKeyFile, 'utf8').trim());
      if (!newKey) throw new Error(`${options.newKeyFile} does not hold a 32-byte key as 64 hex or 43 base64url characters`);
      const lanyard = await open({ bootstrap: false });
      try {
        const result = await rotateMasterKey({ store: lanyard.store, clock: lanyard.deps.clock, masterKey: lanyard.masterKey.key }, newKey);
        io.out(`Re-wrapped ${result.dataKeys} data keys of ${result.orgs} orgs under the new master key.`);
        io.out(lanyard.masterKey.path
          ? `Now replace ${lanyard.masterKey.path} with the new key (or set LANYARD_MASTER_KEY to it) and start Lanyard; the old key no longer opens anything.`
          : 'Now set LANYARD_MASTER_KEY to the new key on every node and start Lanyard; the old key no longer opens anything.');
      } finally {
        await lanyard.close();
      }
    });

  program.command('backup').description('write a consistent copy of the embedded SQLite store')
    .option('--out <file>', 'destination file (default: <data dir>/backups/lanyard-<time>.db)')
    .action(async (options: { out?: string }) => {
      const cfg = config();
      if (cfg.databaseUrl) throw new Error('backup copies the embedded SQLite store; with DATABASE_URL set, back up PostgreSQL with pg_dump');
      const lanyard = await open({ bootstrap: false });
      try {
        const file = await backupSqlite(lanyard.sqlitePath!, options.out, cfg.dataDir);
        io.out(`Backup written to ${file}; keep the master key (${lanyard.masterKey.path ?? 'LANYARD_MASTER_KEY'}) with it.`);
      } finally {
        await lanyard.close();
      }
    });

  return program;
}

/** Runs the CLI; returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    io.out(describeError(error));
    return error instanceof ConfigError ? 2 : 1;
  }
}
