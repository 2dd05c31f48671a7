/**
 * Password sign-in rate through the real HTTP sign-in page versus the raw argon2id verification
 * rate at the same cost and concurrency. argon2 is meant to dominate a sign-in, so the ratio says
 * how much everything else (HTTP, CSRF, lookup, session, system log) costs on top of it.
 *
 * Run alone: `node bench/run.ts password-signin` (or `node bench/password-signin.ts`).
 */
import { verify, hash } from '@node-rs/argon2';
import { owaspArgon2Cost } from '../src/signin/passwords.ts';
import {
  alternatingRounds, apiCall, type Combined, fetchSignInForm, log, markdownTable, newAdminToken, percentile, postSignIn, rate, startServer, tempDir,
  type BenchRow,
} from './lib.ts';

export const name = 'password-signin';

export interface PasswordSignInOptions {
  /** Seconds measured for each side (after a short warm-up). */
  readonly seconds?: number;
  /** Concurrent workers for both sides; the reference machine has 2 cores. */
  readonly workers?: number;
}

const login = 'signin.bench@bench.example';
const password = 'Quiet-Harbour-Lantern-47';

export async function run(options: PasswordSignInOptions = {}): Promise<BenchRow[]> {
  const seconds = options.seconds ?? 10;
  const workers = options.workers ?? 2;
  const dir = tempDir('lanyard-bench-signin-');
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    log(`${name}: starting Lanyard (OWASP argon2id cost) on ${dir.path}`);
    server = await startServer(dir.path, newAdminToken());
    const url = server.url;
    await apiCall(server, 'POST', '/api/v1/users?activate=true', {
      profile: { login, email: login, firstName: 'Signin', lastName: 'Bench' },
      credentials: { password: { value: password } },
    });

    // The baseline: the stored hash's cost, verified directly with the library Lanyard uses.
    const stored = await hash(password, { algorithm: 2, ...owaspArgon2Cost });
    const rawVerify = async () => {
      if (!await verify(stored, password)) throw new Error('argon2 verify returned false');
    };
    const signIn = async () => {
      const csrf = await fetchSignInForm(url);
      await postSignIn(url, csrf, login, password);
    };

    log(`${name}: warming up`);
    await rate(workers, 1, rawVerify);
    await rate(workers, 1, signIn);

    const rounds = Math.max(1, Math.round(seconds / 2.5));
    const [raw, http] = await alternatingRounds(name, seconds, rounds, [
      { label: 'raw verify', workers, task: rawVerify },
      { label: 'sign-in', workers, task: signIn },
    ]) as [Combined, Combined];
    log(`${name}: ${raw.count} verifications (${raw.perSecond.toFixed(2)}/s), ${http.count} sign-ins (${http.perSecond.toFixed(2)}/s)`);

    const cost = `argon2id m=${owaspArgon2Cost.memoryCost} t=${owaspArgon2Cost.timeCost} p=${owaspArgon2Cost.parallelism}`;
    return [
      {
        benchmark: name,
        figure: `sign-ins/s vs raw verifications/s (${workers} workers, ${cost})`,
        value: http.perSecond, unit: '/s', baseline: raw.perSecond, baselineLabel: 'raw verify',
        note: `One sign-in is a fresh browser: GET /login (CSRF cookie + hidden field), then POST /login answered by 302 `
          + `with a session cookie, for a user created through the API; Lanyard runs in-process with its default (OWASP) argon2 cost. `
          + `The baseline is @node-rs/argon2 verify of a hash at the same cost and concurrency. `
          + `${http.count} sign-ins and ${raw.count} verifications, ${seconds} s each, in ${rounds} alternating rounds.`,
      },
      {
        benchmark: name,
        figure: `p50 latency, sign-in vs raw verify (${workers} workers)`,
        value: percentile(http.latencies, 50), unit: 'ms', baseline: percentile(raw.latencies, 50), baselineLabel: 'raw verify',
      },
      {
        benchmark: name,
        figure: 'process CPU per sign-in vs per raw verify',
        value: http.cpuMs / http.count, unit: 'ms', baseline: raw.cpuMs / raw.count, baselineLabel: 'raw verify',
        note: 'CPU of the whole process (HTTP client, server event loop, argon2 threads) divided by the operations completed; '
          + 'with both cores busy, the sign-in rate ratio is roughly the inverse of this ratio.',
      },
    ];
  } finally {
    await server?.close();
    dir.remove();
  }
}

if (import.meta.main) {
  const rows = await run();
  process.stdout.write(`${markdownTable(rows)}\n`);
}
