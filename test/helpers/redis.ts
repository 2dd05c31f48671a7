/**
 * A real Redis from Debian's `redis-server` package for tests of state shared between nodes: one
 * server per caller, on a free loopback port, with persistence off and a temp working directory.
 * A missing binary fails loudly (the suite never skips what it cannot run).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort, waitFor } from './ports.ts';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Sends one command and returns its reply (RESP decoded to strings, numbers, arrays and null). */
  command(...args: string[]): Promise<RespValue>;
  stop(): Promise<void>;
}

export type RespValue = string | number | null | RespValue[];

function redisServerBinary(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error('redis-server is not installed: the rate-limit tests need Debian\'s redis-server package (apt-get install redis-server)');
}

/** Parses one complete RESP reply from `buffer`; undefined while it is incomplete. */
function parseReply(buffer: string, start = 0): { value: RespValue; end: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', start);
  if (lineEnd === -1) return undefined;
  const type = buffer[start];
  const line = buffer.slice(start + 1, lineEnd);
  const after = lineEnd + 2;
  switch (type) {
    case '+': return { value: line, end: after };
    case '-': throw new Error(`Redis error: ${line}`);
    case ':': return { value: Number(line), end: after };
    case '$': {
      const length = Number(line);
      if (length === -1) return { value: null, end: after };
      // Test payloads are ASCII, so string length equals byte length.
      if (buffer.length < after + length + 2) return undefined;
      return { value: buffer.slice(after, after + length), end: after + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count === -1) return { value: null, end: after };
      const items: RespValue[] = [];
      let position = after;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, position);
        if (!item) return undefined;
        items.push(item.value);
        position = item.end;
      }
      return { value: items, end: position };
    }
    default: throw new Error(`unexpected Redis reply: ${JSON.stringify(buffer.slice(start, start + 40))}`);
  }
}

/** One command over a fresh connection (no client library, so nothing is hidden from the test). */
export function redisCommand(port: number, args: readonly string[], timeoutMs = 2000): Promise<RespValue> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no reply from Redis on port ${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (error: Error | undefined, value?: RespValue) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(value ?? null);
    };
    socket.on('error', (error) => finish(error));
    socket.on('connect', () => {
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      try {
        const reply = parseReply(received);
        if (reply) finish(undefined, reply.value);
      } catch (error) {
        finish(error as Error);
      }
    });
  });
}

/** Starts redis-server on `port` (default: a free one) and resolves once it answers PING. */
export async function startRedis(options: { port?: number } = {}): Promise<RedisServer> {
  const binary = redisServerBinary();
  const port = options.port ?? await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'lanyard-redis-'));
  const child: ChildProcess = spawn(binary, [
    '--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no',
    '--dir', dir, '--daemonize', 'no', '--protected-mode', 'yes', '--logfile', '',
  ], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  let output = '';
  const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4000); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    let died = false;
    void exited.then(() => { died = true; });
    await waitFor(async () => {
      // An early exit (say, the port was taken meanwhile) ends the wait rather than timing out.
      if (died) return true;
      return (await redisCommand(port, ['PING'], 500)) === 'PONG';
    }, 15_000, `redis-server on port ${port} to answer PING`);
    if (died) throw new Error(`redis-server exited with ${child.exitCode ?? child.signalCode}`);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`redis-server did not start: ${(error as Error).message}\n${output}`);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    command: (...args) => redisCommand(port, args),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
