/**
 * The baseline of the OpenID Connect benchmarks: a bare `oidc-provider` (the engine Lanyard wraps),
 * with its in-memory adapter and no Lanyard around it, configured for the same grants Lanyard
 * serves: client credentials with an RS256 JWT access token for a resource, and the authorization
 * code flow with PKCE for one account whose consent is granted automatically. Its interaction
 * route signs the one account in without a page, so the baseline has no sign-in cost at all.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { Server } from 'node:http';
import Provider from 'oidc-provider';
import { freePort } from '../test/helpers/ports.ts';
import { apiCall, log, newAdminToken, startServer, tempDir, type BenchServer } from './lib.ts';

export interface ReferenceProvider {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly audience: string;
  readonly scope: string;
  readonly redirectUri: string;
  close(): Promise<void>;
}

export async function startReferenceProvider(options: { redirectUri: string; audience: string; scope: string }): Promise<ReferenceProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'reference', alg: 'RS256', use: 'sig' };
  const clientId = 'reference-client';
  const clientSecret = 'reference-secret-reference-secret-0123456789';
  const account = 'reference-user';

  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId, client_secret: clientSecret, token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'], response_types: ['code'],
      redirect_uris: [options.redirectUri],
    }],
    jwks: { keys: [jwk as never] },
    cookies: { keys: ['reference-cookie-key-0123456789abcdef'] },
    pkce: { required: () => true },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, email: `${sub}@example.test` }) }),
    claims: { openid: ['sub'], email: ['email'] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => options.audience,
        useGrantedResource: async () => true,
        getResourceServerInfo: async () => ({
          scope: options.scope, audience: options.audience, accessTokenFormat: 'jwt', accessTokenTTL: 3600, jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    // Consent is implied, as for a Lanyard app whose consent method is TRUSTED.
    loadExistingGrant: async (ctx) => {
      const session = ctx.oidc.session;
      const client = ctx.oidc.client;
      if (!session?.accountId || !client) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(String(ctx.oidc.params?.scope ?? 'openid'));
      grant.addResourceScope(options.audience, options.scope);
      await grant.save();
      return grant;
    },
  });
  // Every interaction is the sign-in of the one account; after the first, the session skips it.
  provider.use(async (ctx, next) => {
    if (!ctx.path.startsWith('/interaction/')) return next();
    ctx.respond = false;
    await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: account } }, { mergeWithLastSubmission: false });
  });

  const server: Server = provider.listen(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  return {
    issuer, clientId, clientSecret, audience: options.audience, scope: options.scope, redirectUri: options.redirectUri,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * Runs `work` with a fresh Lanyard (its /oauth2 rate limit on the default server lifted) and a
 * bare oidc-provider side by side, and stops both (and removes Lanyard's data) afterwards.
 */
export async function withServers<T>(benchmark: string, options: { redirectUri: string; audience: string; scope: string },
  work: (lanyard: BenchServer, reference: ReferenceProvider) => Promise<T>): Promise<T> {
  const dir = tempDir(`lanyard-bench-${benchmark}-`);
  let server: BenchServer | undefined;
  let reference: ReferenceProvider | undefined;
  try {
    log(`${benchmark}: starting Lanyard on ${dir.path} and a bare oidc-provider`);
    server = await startServer(dir.path, newAdminToken());
    await apiCall(server, 'PUT', '/api/v1/org/settings', { rateLimits: { 'oauth2.custom': 1_000_000 } });
    reference = await startReferenceProvider(options);
    return await work(server, reference);
  } finally {
    await reference?.close();
    await server?.close();
    dir.remove();
  }
}
