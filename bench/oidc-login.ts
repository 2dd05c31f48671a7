/**
 * A full authorization-code + PKCE round trip for a user who already has a session: the app's
 * authorization request, Lanyard's redirects back with a code, and the code redeemed for tokens
 * whose ID token the app validates (openid-client). The baseline is the same round trip, with the
 * same client library, against a bare `oidc-provider` whose session already exists.
 *
 * Run alone: `node bench/run.ts oidc-login`.
 */
import * as client from 'openid-client';
import { BrowserlessClient, csrfOf } from '../test/helpers/browserless.ts';
import {
  alternatingRounds, apiCall, type Combined, log, markdownTable, percentile, rate, type BenchRow,
} from './lib.ts';
import { withServers } from './reference-provider.ts';

export const name = 'oidc-login';

const redirectUri = 'https://app.example.test/callback';
const login = 'login.bench@bench.example';
const password = 'Amber-Falcon-Harvest-31';

/**
 * One round trip: authorize in `browser` (redirects followed on the server's origin, never to the
 * app), then the code exchanged and the ID token validated. Throws unless tokens come back.
 */
function roundTrip(config: client.Configuration, browser: BrowserlessClient, scope: string): () => Promise<void> {
  return async () => {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope, state, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const nav = await browser.get(url.href);
    const location = nav.final.location;
    if (!location || !location.startsWith(redirectUri)) {
      throw new Error(`expected a redirect to the app, got ${nav.final.status} at ${nav.final.url}: ${nav.final.body.slice(0, 200)}`);
    }
    const tokens = await client.authorizationCodeGrant(config, new URL(location), { pkceCodeVerifier: verifier, expectedState: state });
    if (!tokens.id_token || !tokens.access_token) throw new Error('no tokens');
  };
}

export async function run(options: { seconds?: number; workers?: number } = {}): Promise<BenchRow[]> {
  const seconds = options.seconds ?? 12;
  const workers = options.workers ?? 4;
  return withServers(name, { redirectUri, audience: 'api://default', scope: 'openid' }, async (server, reference) => {
    const user = await apiCall(server, 'POST', '/api/v1/users?activate=true', {
      profile: { login, email: login, firstName: 'Login', lastName: 'Bench' }, credentials: { password: { value: password } },
    });
    const app = await apiCall(server, 'POST', '/api/v1/apps', {
      name: 'oidc_client', label: 'Bench web app', signOnMode: 'OPENID_CONNECT',
      credentials: { oauthClient: { token_endpoint_auth_method: 'client_secret_basic' } },
      settings: { oauthClient: { application_type: 'web', grant_types: ['authorization_code'], response_types: ['code'], redirect_uris: [redirectUri] } },
    });
    await apiCall(server, 'POST', `/api/v1/apps/${app.id}/users`, { id: user.id });

    const insecure = { execute: [client.allowInsecureRequests] };
    const lanyardConfig = await client.discovery(new URL(`${server.url}/oauth2/default`), app.credentials.oauthClient.client_id,
      app.credentials.oauthClient.client_secret, undefined, insecure);
    const referenceConfig = await client.discovery(new URL(reference.issuer), reference.clientId, reference.clientSecret, undefined, insecure);

    // One signed-in browser per worker, as one user with one session per device.
    const lanyardBrowsers: BrowserlessClient[] = [];
    const referenceBrowsers: BrowserlessClient[] = [];
    for (let i = 0; i < workers; i++) {
      const browser = new BrowserlessClient(server.url);
      const form = await browser.get('/login');
      await browser.submit(form.final, { csrf: csrfOf(form.final.body), username: login, password });
      if (!browser.cookie('lanyard_sid')) throw new Error('the bench user could not sign in');
      lanyardBrowsers.push(browser);
      referenceBrowsers.push(new BrowserlessClient(reference.issuer));
    }
    const inTurn = (browsers: BrowserlessClient[], config: client.Configuration, scope: string) => {
      const trips = browsers.map((b) => roundTrip(config, b, scope));
      let next = 0;
      return () => trips[next++ % trips.length]!();
    };
    // Each worker takes the next browser; with as many browsers as workers no two share one at a time.
    const lanyardTrip = inTurn(lanyardBrowsers, lanyardConfig, 'openid email');
    const referenceTrip = inTurn(referenceBrowsers, referenceConfig, 'openid email');

    log(`${name}: warming up (the first bare oidc-provider round trip creates its session)`);
    await Promise.all(referenceBrowsers.map((b) => roundTrip(referenceConfig, b, 'openid email')()));
    await rate(workers, 1, lanyardTrip);
    await rate(workers, 1, referenceTrip);

    const rounds = Math.max(1, Math.round(seconds / 3));
    const [l, r] = await alternatingRounds(name, seconds, rounds, [
      { label: 'Lanyard', workers, task: lanyardTrip },
      { label: 'oidc-provider', workers, task: referenceTrip },
    ]) as [Combined, Combined];
    return [
      {
        benchmark: name, figure: `round trips/s with a session, Lanyard vs bare oidc-provider (${workers} workers)`,
        value: l.perSecond, unit: '/s', baseline: r.perSecond, baselineLabel: 'oidc-provider',
        note: 'A round trip: GET /authorize with PKCE (S256) and every redirect on the server\'s origin, until the 302 to the app\'s '
          + 'redirect URI; then the code redeemed with client_secret_basic and the RS256 ID token validated by openid-client. Lanyard '
          + 'checks its own session and the app assignment, creates the grant (TRUSTED app, no consent page), and records the access '
          + `token; the bare oidc-provider signs its one account in without a page and keeps everything in memory. ${l.count} and `
          + `${r.count} round trips in ${rounds} alternating rounds.`,
      },
      {
        benchmark: name, figure: 'p50 latency of a round trip',
        value: percentile(l.latencies, 50), unit: 'ms', baseline: percentile(r.latencies, 50), baselineLabel: 'oidc-provider',
      },
      {
        benchmark: name, figure: 'p99 latency of a round trip',
        value: percentile(l.latencies, 99), unit: 'ms', baseline: percentile(r.latencies, 99), baselineLabel: 'oidc-provider',
      },
    ];
  });
}

if (import.meta.main) {
  const rows = await run();
  process.stdout.write(`${markdownTable(rows)}\n`);
}
