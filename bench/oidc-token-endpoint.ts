/**
 * Client-credentials throughput and latency of the token endpoint (a signed RS256 JWT access token
 * for a custom scope of the `default` authorization server) against two baselines measured in the
 * same run: a bare `oidc-provider` serving the same grant, and the raw RS256 signing rate of a
 * 2048-bit key. The first ratio is what Lanyard costs on top of its engine (client lookup and
 * secret decryption, policy evaluation, Okta's claims, recording the token so it can be
 * introspected and revoked); the second bounds what any JWT-issuing token endpoint can reach.
 *
 * Run alone: `node bench/run.ts oidc-token-endpoint`.
 */
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import {
  alternatingRounds, apiCall, type Combined, log, markdownTable, percentile, rate, type BenchRow,
} from './lib.ts';
import { withServers } from './reference-provider.ts';

export const name = 'oidc-token-endpoint';

const scope = 'bench:read';
const audience = 'api://default';

/** A client-credentials request with client_secret_basic; throws unless a token comes back. */
function tokenRequest(tokenUrl: string, clientId: string, clientSecret: string): () => Promise<void> {
  const authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
  const body = new URLSearchParams({ grant_type: 'client_credentials', scope }).toString();
  return async () => {
    const response = await fetch(tokenUrl, {
      method: 'POST', body, headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    });
    const json = await response.json() as { access_token?: string };
    if (response.status !== 200 || typeof json.access_token !== 'string' || json.access_token.split('.').length !== 3) {
      throw new Error(`token endpoint ${tokenUrl}: ${response.status} ${JSON.stringify(json).slice(0, 300)}`);
    }
  };
}

/** Signs a JWT of the access token's size with RS256: the raw cost of the signature alone. */
function rawSigner(): () => Promise<void> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }));
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'k1', typ: 'application/at+jwt' })).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const payload = Buffer.from(JSON.stringify({
    ver: 1, jti: 'AT.0123456789abcdefghijklmnopqrstuvwxyz', iss: 'http://127.0.0.1:1/oauth2/default', aud: audience,
    iat: now, exp: now + 3600, cid: '0oa0123456789abcdefg', scp: [scope], sub: '0oa0123456789abcdefg',
  })).toString('base64url');
  const input = Buffer.from(`${header}.${payload}`);
  return async () => {
    sign('sha256', input, key);
  };
}

export async function run(options: { seconds?: number; workers?: number } = {}): Promise<BenchRow[]> {
  const seconds = options.seconds ?? 12;
  const workers = options.workers ?? 4;
  return withServers(name, { redirectUri: 'https://app.example.test/callback', audience, scope }, async (server, reference) => {
    await apiCall(server, 'POST', '/api/v1/authorizationServers/default/scopes', { name: scope, consent: 'IMPLICIT' }, 201);
    const app = await apiCall(server, 'POST', '/api/v1/apps', {
      name: 'oidc_client', label: 'Bench service', signOnMode: 'OPENID_CONNECT',
      credentials: { oauthClient: { token_endpoint_auth_method: 'client_secret_basic' } },
      settings: { oauthClient: { application_type: 'service', grant_types: ['client_credentials'], redirect_uris: [] } },
    });

    const lanyardToken = tokenRequest(`${server.url}/oauth2/default/v1/token`, app.credentials.oauthClient.client_id,
      app.credentials.oauthClient.client_secret);
    const referenceToken = tokenRequest(`${reference.issuer}/token`, reference.clientId, reference.clientSecret);
    const raw = rawSigner();

    log(`${name}: warming up`);
    await rate(workers, 1, lanyardToken);
    await rate(workers, 1, referenceToken);
    await rate(1, 1, raw);

    const rounds = Math.max(1, Math.round(seconds / 3));
    const [l, r, s] = await alternatingRounds(name, seconds, rounds, [
      { label: 'Lanyard', workers, task: lanyardToken },
      { label: 'oidc-provider', workers, task: referenceToken },
      { label: 'raw RS256', workers: 1, task: raw, share: 0.5 },
    ]) as [Combined, Combined, Combined];
    const setup = `${workers} concurrent clients, client_secret_basic, RS256 JWT access token`;
    return [
      {
        benchmark: name, figure: `tokens/s, Lanyard vs bare oidc-provider (${setup})`,
        value: l.perSecond, unit: '/s', baseline: r.perSecond, baselineLabel: 'oidc-provider',
        note: `Both servers run in this process with the HTTP client (Node's fetch), so client and servers share the CPU alike. `
          + `Lanyard runs on its embedded SQLite store with the org's rate limit lifted; every token is recorded so it can be `
          + `introspected and revoked, and the client's secret is decrypted and compared in constant time. The bare oidc-provider keeps `
          + `its static client and tokens in memory. ${l.count} and ${r.count} tokens in ${rounds} alternating rounds.`,
      },
      {
        benchmark: name, figure: 'p99 latency, Lanyard vs bare oidc-provider',
        value: percentile(l.latencies, 99), unit: 'ms', baseline: percentile(r.latencies, 99), baselineLabel: 'oidc-provider',
      },
      {
        benchmark: name, figure: 'p50 latency, Lanyard vs bare oidc-provider',
        value: percentile(l.latencies, 50), unit: 'ms', baseline: percentile(r.latencies, 50), baselineLabel: 'oidc-provider',
      },
      {
        benchmark: name, figure: 'tokens/s vs raw RS256 signatures/s (2048-bit key, one thread)',
        value: l.perSecond, unit: '/s', baseline: s.perSecond, baselineLabel: 'raw RS256 sign',
        note: 'The raw rate is node:crypto signing a JWT of the same size in a loop on one thread: the ceiling of a single-process '
          + 'token endpoint that signs every token.',
      },
    ];
  });
}

if (import.meta.main) {
  const rows = await run();
  process.stdout.write(`${markdownTable(rows)}\n`);
}
