/**
 * The one module that talks LDAP (through `ldapts`): bind as the service account, read paged
 * searches (RFC 2696 simple paged results), check a user's password by binding as them, and test a
 * connection. Failures become a {@link DirectoryFailure} whose kind says what went wrong and whose
 * message never carries a password.
 */
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, InvalidCredentialsError, NoSuchObjectError } from 'ldapts';
import { normalizeEntry, type DirectoryEntry, type DirectorySearch } from './entries.ts';

export interface DirectoryConnection {
  readonly url: string;
  readonly startTls: boolean;
  readonly bindDn: string;
  readonly bindPassword: string;
}

export type FailureKind = 'unreachable' | 'bind_failed' | 'no_such_base' | 'tls_failed' | 'failed';

export class DirectoryFailure extends Error {
  readonly kind: FailureKind;
  constructor(kind: FailureKind, message: string) {
    super(message);
    this.name = 'DirectoryFailure';
    this.kind = kind;
  }
}

const timeoutMs = 10_000;

function describe(error: unknown, connection: DirectoryConnection, step: 'connect' | 'bind' | 'search', base?: string): DirectoryFailure {
  if (error instanceof DirectoryFailure) return error;
  if (error instanceof InvalidCredentialsError) {
    return new DirectoryFailure('bind_failed', `The directory refused the bind DN ${connection.bindDn} and its password (invalid credentials).`);
  }
  if (error instanceof NoSuchObjectError) return new DirectoryFailure('no_such_base', `The base DN ${base ?? ''} does not exist in the directory.`);
  const code = (error as { code?: string }).code ?? '';
  const message = (error as Error).message ?? String(error);
  if (/ECONNREFUSED|EHOSTUNREACH|ENOTFOUND|ETIMEDOUT|ECONNRESET|EAI_AGAIN|timeout|Connection closed|socket/i.test(`${code} ${message}`) && step !== 'search') {
    return new DirectoryFailure('unreachable', `The directory at ${connection.url} cannot be reached (${code || message.slice(0, 120)}).`);
  }
  if (/certificate|TLS|SSL/i.test(message)) return new DirectoryFailure('tls_failed', `TLS with ${connection.url} failed: ${message.slice(0, 200)}`);
  return new DirectoryFailure('failed', `The directory answered the ${step} with an error: ${message.slice(0, 200)}`);
}

/** A client connected (and upgraded with StartTLS when asked), not yet bound. */
async function connect(connection: DirectoryConnection): Promise<Client> {
  const url = new URL(connection.url);
  // RFC 6066 §3: a server name indication never carries an IP address.
  const tls: ConnectionOptions = { minVersion: 'TLSv1.2', ...(isIP(url.hostname.replace(/^\[|\]$/g, '')) ? {} : { servername: url.hostname }) };
  // ldapts speaks TLS from the first byte whenever tlsOptions are given: only ldaps:// gets them.
  const client = new Client({ url: connection.url, timeout: timeoutMs, connectTimeout: 5000, ...(url.protocol === 'ldaps:' ? { tlsOptions: tls } : {}) });
  if (connection.startTls) {
    try {
      await client.startTLS(tls);
    } catch (error) {
      await client.unbind().catch(() => {});
      const failure = describe(error, connection, 'connect');
      throw failure.kind === 'unreachable' ? failure : new DirectoryFailure('tls_failed', `StartTLS with ${connection.url} failed: ${(error as Error).message.slice(0, 200)}`);
    }
  }
  return client;
}

/** Runs `work` on a connection bound as the service account, and always unbinds. */
export async function withServiceBind<T>(connection: DirectoryConnection, work: (client: Client) => Promise<T>): Promise<T> {
  let client: Client;
  try {
    client = await connect(connection);
  } catch (error) {
    throw describe(error, connection, 'connect');
  }
  try {
    try {
      await client.bind(connection.bindDn, connection.bindPassword);
    } catch (error) {
      throw describe(error, connection, 'bind');
    }
    return await work(client);
  } finally {
    await client.unbind().catch(() => {});
  }
}

/** Reads one search page by page. */
export async function* readPages(client: Client, connection: DirectoryConnection, search: DirectorySearch): AsyncGenerator<DirectoryEntry[]> {
  try {
    const pages = client.searchPaginated(search.baseDn, {
      scope: 'sub', filter: search.filter, attributes: [...search.attributes], explicitBufferAttributes: [...search.binaryAttributes],
      paged: { pageSize: search.pageSize },
    });
    for await (const page of pages) yield page.searchEntries.map((e) => normalizeEntry(e as Record<string, unknown>));
  } catch (error) {
    throw describe(error, connection, 'search', search.baseDn);
  }
}

/**
 * Checks a user's password by binding as their DN. RFC 4513 §5.1.2: a simple bind with an empty
 * password is an unauthenticated bind that servers may accept — so an empty password never binds.
 */
export async function checkPassword(connection: DirectoryConnection, dn: string, password: string): Promise<'valid' | 'invalid'> {
  if (password === '') return 'invalid';
  let client: Client;
  try {
    client = await connect(connection);
  } catch (error) {
    throw describe(error, connection, 'connect');
  }
  try {
    await client.bind(dn, password);
    return 'valid';
  } catch (error) {
    if (error instanceof InvalidCredentialsError) return 'invalid';
    throw describe(error, { ...connection, bindDn: dn }, 'connect');
  } finally {
    await client.unbind().catch(() => {});
  }
}

export interface TestStep {
  readonly step: string;
  readonly ok: boolean;
  readonly message: string;
}

export interface TestReport {
  readonly ok: boolean;
  readonly steps: readonly TestStep[];
  readonly users: number | null;
  readonly groups: number | null;
}

/** Binds, reads each base DN, and counts the first page of users and groups. */
export async function testConnection(connection: DirectoryConnection, searches: readonly DirectorySearch[]): Promise<TestReport> {
  const steps: TestStep[] = [];
  const counts: Record<string, number | null> = { users: null, groups: null };
  try {
    await withServiceBind(connection, async (client) => {
      steps.push({ step: 'bind', ok: true, message: `Bound to ${connection.url} as ${connection.bindDn}.` });
      for (const search of searches) {
        try {
          await client.search(search.baseDn, { scope: 'base', attributes: ['1.1'] });
        } catch (error) {
          throw describe(error, connection, 'search', search.baseDn);
        }
        const firstPage = await readPages(client, connection, { ...search, pageSize: Math.min(search.pageSize, 100) }).next();
        counts[search.phase] = firstPage.done ? 0 : firstPage.value.length;
        steps.push({ step: `${search.phase}BaseDn`, ok: true, message: `Read ${search.baseDn}: ${counts[search.phase]} ${search.phase} in the first page.` });
      }
    });
  } catch (error) {
    const failure = error instanceof DirectoryFailure ? error : describe(error, connection, 'connect');
    const step = failure.kind === 'bind_failed' ? 'bind' : failure.kind === 'no_such_base' ? 'baseDn' : 'connect';
    steps.push({ step, ok: false, message: failure.message });
    return { ok: false, steps, users: counts.users ?? null, groups: counts.groups ?? null };
  }
  return { ok: true, steps, users: counts.users ?? null, groups: counts.groups ?? null };
}
