/**
 * The only module that configures `oidc-provider` (OpenID Certified): one engine per authorization
 * server of an org. Lanyard supplies tenancy, storage, keys, accounts, claims, policies and pages
 * through {@link OidcPorts}; the engine speaks the protocol. Everything the engine certifies is on:
 * code (+PKCE), implicit and hybrid, client credentials, refresh with rotation and reuse detection,
 * device flow, CIBA (poll), PAR, JAR, JARM, DPoP, the claims parameter, introspection, revocation,
 * RP-initiated and back-channel logout.
 */
import { acrValuesSupported } from '../../domain/assurance.ts';
import { Provider, errors, interactionPolicy, type AccountClaims, type Configuration, type KoaContextWithOIDC, type ClientMetadata } from 'oidc-provider';
import type { JWK } from 'jose';
import type { Middleware } from 'koa';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createAdapterFactory, type AdapterContext } from './adapter.ts';

export { errors as oidcErrors };

/** A user as the engine sees one: an id and a way to get claims for a use and a set of scopes. */
export interface OidcAccount {
  readonly accountId: string;
  claims(use: 'id_token' | 'userinfo', scopes: ReadonlySet<string>, requested: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** A request the policy engine judges at the token endpoint. */
export interface TokenRequestFacts {
  readonly clientId: string;
  readonly grantType: string;
  readonly accountId: string | undefined;
  readonly scopes: readonly string[];
}

/** Lifetimes a policy decided on, in seconds. */
export interface TokenLifetimes {
  readonly accessToken: number;
  /** Absolute lifetime of a refresh token; 0 is unlimited. */
  readonly refreshToken: number;
  /** Idle window after which an unused refresh token expires. */
  readonly refreshTokenWindow: number;
}

export interface OidcServerSpec {
  readonly asId: string;
  readonly issuer: string;
  /** Path the engine is mounted at: '' for the org server, `/oauth2/{id}` for custom servers. */
  readonly mountPath: string;
  /** `/oauth2/v1` for the org server, `/v1` under the mount for custom servers. */
  readonly routePrefix: string;
  /** Audience of the access tokens (Okta: the org URL, or the server's `audiences[0]`). */
  readonly audience: string;
  /** Private signing keys; the first is the active one. */
  readonly jwks: readonly JWK[];
  readonly scopes: readonly string[];
  /** Which claims each scope releases. */
  readonly claimsByScope: Readonly<Record<string, readonly string[]>>;
  /** Keys that sign the engine's cookies. */
  readonly cookieKeys: readonly string[];
  readonly cookies: { readonly secure: boolean; readonly sameSite: 'none' | 'lax' };
  /** Scopes the discovery document lists (Okta: those published to all clients); all when absent. */
  readonly publishedScopes?: readonly string[];
  /** Whether the engine may call loopback and private-network addresses (its SSRF guard refuses them otherwise). */
  readonly allowPrivateNetwork?: boolean;
  /** Where clients register (Okta: the org's `/oauth2/v1/clients`, for every server). */
  readonly registrationEndpoint: string;
  /** Interaction (sign-in, consent) URL for an interaction id. */
  readonly interactionUrl: (uid: string) => string;
  readonly ttl: {
    readonly authorizationCode: number;
    readonly idToken: number;
    readonly session: number;
    readonly interaction: number;
    readonly grant: number;
    readonly deviceCode: number;
    readonly backchannelRequest: number;
  };
}

export interface OidcPorts {
  readonly adapter: Omit<AdapterContext, 'asId' | 'isUserinfoRequest' | 'findClient'>;
  findClient(clientId: string): Promise<ClientMetadata | undefined>;
  findAccount(accountId: string, clientId: string | undefined): Promise<OidcAccount | undefined>;
  /** Okta's access-token claims (ver, cid, uid, scp, custom claims) for a token being issued. */
  accessTokenClaims(token: { accountId?: string; clientId: string; scopes: readonly string[]; authTime?: number }): Promise<Record<string, unknown>>;
  /** The access token's `sub`: the user's login for a user, the client id for a client. */
  accessTokenSubject(accountId: string): Promise<string>;
  /** Records an issued JWT access token so it can be introspected and revoked. */
  recordAccessToken(jti: string, payload: Record<string, unknown>, grantId: string | null, accountId: string | null,
    clientId: string, expiresAt: Date): Promise<void>;
  /** Policy decision for a token; a string is the `access_denied` description. */
  authorizeToken(facts: TokenRequestFacts): Promise<TokenLifetimes | string>;
  /** The account of the Lanyard sign-in session on this request, if any. */
  currentAccount(ctx: KoaContextWithOIDC): Promise<{ accountId: string; authTime: number; amr: readonly string[]; acr: string } | undefined>;
  /** Whether the sign-on policies let the session go on to the client now, without another step. */
  signOnSatisfied(ctx: KoaContextWithOIDC, clientId: string): Promise<boolean>;
  /** Whether the user may use the client now (assigned, policy allows); a string is why not. */
  accessCheck(ctx: KoaContextWithOIDC, accountId: string, clientId: string, scopes: readonly string[]): Promise<true | string>;
  /** An existing remembered grant (consent) of the account for the client. */
  rememberedGrantId(accountId: string, clientId: string): Promise<string | undefined>;
  /** The scopes to grant without asking, or undefined when the user must consent. */
  autoGrantScopes(clientId: string, scopes: readonly string[], prompts: readonly string[]): Promise<string[] | undefined>;
  renderError(ctx: KoaContextWithOIDC, out: Record<string, string>): Promise<void>;
  /** The sign-out page; `frontchannel` lists the apps' front-channel logout URLs to load in frames. */
  logoutPage(ctx: KoaContextWithOIDC, form: string, frontchannel: readonly string[]): Promise<void>;
  postLogoutPage(ctx: KoaContextWithOIDC): Promise<void>;
  deviceInputPage(ctx: KoaContextWithOIDC, form: string, userCode: string | undefined, error: string | undefined): Promise<void>;
  deviceConfirmPage(ctx: KoaContextWithOIDC, form: string, clientName: string, userCode: string): Promise<void>;
  deviceSuccessPage(ctx: KoaContextWithOIDC, clientName: string): Promise<void>;
  /** CIBA: the account a `login_hint` names, or undefined. */
  accountForLoginHint(hint: string): Promise<string | undefined>;
  /** CIBA: ask the user (through Lanyard) to approve the request. */
  notifyBackchannelRequest(request: { uid: string; clientId: string; accountId: string; scope: string; bindingMessage?: string }): Promise<void>;
  /** An unexpected failure inside the engine (it answers `server_error`); for the logs. */
  reportError(error: Error, where: string): void;
  /** Token exchange (RFC 8693): claims of the subject token, or undefined when it is not acceptable. */
  verifySubjectToken(token: string): Promise<{ accountId: string; clientId: string; scopes: string[]; authTime?: number } | undefined>;
}

const extraClientProperties = [
  'lanyard_pkce_required', 'lanyard_refresh_rotation', 'lanyard_refresh_leeway', 'lanyard_consent_method',
  'lanyard_frontchannel_logout_uri', 'lanyard_application_type', 'lanyard_other_secrets',
] as const;

/** The engine of one authorization server, wrapped so nothing else touches its API. */
export interface OidcEngine {
  readonly issuer: string;
  /** Koa middleware that serves the engine's routes; the caller has already matched the mount path. */
  readonly middleware: Middleware;
  interactionDetails(ctx: { req: import('node:http').IncomingMessage; res: import('node:http').ServerResponse }): Promise<InteractionDetails>;
  finishInteraction(ctx: { req: import('node:http').IncomingMessage; res: import('node:http').ServerResponse }, result: InteractionOutcome): Promise<void>;
  /** Creates (or extends) the consent of an account to a client; returns its id. */
  grant(accountId: string, clientId: string, scopes: readonly string[], claims: readonly string[], existingGrantId?: string): Promise<string>;
  /** Approves or denies a pending CIBA request. */
  resolveBackchannelRequest(uid: string, approve: { accountId: string; scopes: readonly string[] } | undefined): Promise<boolean>;
}

export interface InteractionDetails {
  readonly uid: string;
  readonly prompt: { readonly name: 'login' | 'consent' | string; readonly reasons: readonly string[]; readonly details: Record<string, unknown> };
  readonly params: Record<string, unknown>;
  readonly session?: { readonly accountId: string };
  readonly grantId?: string;
}

export type InteractionOutcome =
  | { readonly login: { readonly accountId: string; readonly authTime: number; readonly amr: readonly string[]; readonly acr?: string } }
  | { readonly consent: { readonly grantId: string } }
  | { readonly error: string; readonly description: string };

const userinfoRequests = new WeakSet<object>();
const beforeAnswer = new WeakMap<IncomingMessage, (status: number) => Promise<void>>();

/**
 * Work to finish before the engine answers `req`, given the answer's status. The engine writes to
 * the raw response, so work done after its middleware returns would race the browser's next request.
 */
export function beforeEngineAnswers(req: IncomingMessage, work: (status: number) => Promise<void>): void {
  beforeAnswer.set(req, work);
}

/**
 * Marks a `prompt=consent` that Lanyard added itself. OpenID Connect releases `offline_access` only
 * with a consent prompt; Okta issues refresh tokens without one, and apps built for Okta rely on
 * that. Lanyard adds the prompt, and the consent step, seeing this mark, asks the user nothing
 * that they would not otherwise have been asked.
 */
export const autoConsentParam = 'lanyard_auto_consent';

/** The query of an authorization request with the consent prompt `offline_access` needs, if it lacks it. */
export function withOfflineConsent(search: URLSearchParams): URLSearchParams | undefined {
  const scopes = (search.get('scope') ?? '').split(' ');
  const prompts = (search.get('prompt') ?? '').split(' ').filter(Boolean);
  if (!scopes.includes('offline_access') || prompts.includes('consent') || prompts.includes('none') || search.getAll('prompt').length > 1) return undefined;
  const next = new URLSearchParams(search);
  next.set('prompt', [...prompts, 'consent'].join(' '));
  next.set(autoConsentParam, '1');
  return next;
}

/**
 * OpenID Connect Front-Channel Logout 1.0: every app of the session that registered a front-channel
 * logout URI is loaded in a frame of the sign-out page, with `iss` and its `sid`.
 */
async function frontchannelUris(ctx: KoaContextWithOIDC): Promise<string[]> {
  const session = ctx.oidc.session;
  const out: string[] = [];
  for (const [clientId, { sid }] of Object.entries(session?.authorizations ?? {})) {
    const client = await ctx.oidc.provider.Client.find(clientId);
    const uri = client?.['lanyard_frontchannel_logout_uri'];
    if (typeof uri !== 'string') continue;
    const url = new URL(uri);
    url.searchParams.set('iss', ctx.oidc.issuer);
    if (sid) url.searchParams.set('sid', sid);
    out.push(url.href);
  }
  return out;
}

/** When the user behind a token being issued signed in. */
function authTimeOf(ctx: KoaContextWithOIDC | undefined): number | undefined {
  if (!ctx?.oidc) return undefined;
  const { entities } = ctx.oidc;
  const source = (entities.AuthorizationCode ?? entities.RefreshToken ?? entities.DeviceCode ?? entities.BackchannelAuthenticationRequest) as
    { authTime?: number } | undefined;
  return source?.authTime ?? ctx.oidc.session?.authTime();
}

/**
 * Two refusals in Okta's (and RFC 6749 §5.2's) terms rather than the engine's `invalid_request`: a
 * request without client credentials is `invalid_client` (401), and a grant type the client may not
 * use is `unauthorized_client` (token, device, CIBA, introspection and revocation endpoints).
 */
function oktaErrorWording(ctx: KoaContextWithOIDC): void {
  const body = ctx.body as { error?: string; error_description?: string } | undefined;
  if (body?.error !== 'invalid_request') return;
  if (body.error_description === 'no client authentication mechanism provided') {
    ctx.status = 401;
    ctx.body = { error: 'invalid_client', error_description: 'No client credentials found.' };
  } else if (body.error_description?.endsWith('is not allowed for this client') && ctx.oidc?.client) {
    ctx.body = {
      error: 'unauthorized_client',
      error_description: `The client is not authorized to use the provided grant type. Configured grant types: [${ctx.oidc.client.grantTypes!.join(', ')}].`,
    };
  }
}

/**
 * Okta's introspection answer: `sub` and `username` name the user by login (as the access token's
 * `sub` does), or `sub` the client of a client credentials token; access tokens show their `jti`;
 * a refresh token's type is `Bearer` as well.
 */
async function oktaIntrospection(ctx: KoaContextWithOIDC, ports: OidcPorts): Promise<void> {
  const body = ctx.body as Record<string, unknown> | undefined;
  const { entities } = ctx.oidc;
  const token = (entities.AccessToken ?? entities.ClientCredentials ?? entities.RefreshToken) as
    { accountId?: string; clientId: string; jti: string; kind: string } | undefined;
  if (!body?.active || !token) return;
  if (token.accountId) {
    body.sub = body.username = await ports.accessTokenSubject(token.accountId);
  } else {
    body.sub = token.clientId;
  }
  if (token.kind !== 'RefreshToken') body.jti = token.jti;
  body.token_type ??= 'Bearer';
}

/** What the code-entry page tells the user after an attempt failed (the engine's own messages are for developers). */
function deviceCodeMessage(err: Error): string {
  if (err.name === 'AbortedError') return 'Sign-in was cancelled. The device was not connected.';
  if (err.name === 'AlreadyUsedError') return 'That code has already been used.';
  if (['NotFoundError', 'ExpiredError', 'NoCodeError'].includes(err.name) || err.message === 'invalid_grant') return 'That code is not valid or has expired.';
  return err.message;
}

/** The `claims` request parameter behind a token being issued, if one was sent. */
function claimsRequestOf(ctx: KoaContextWithOIDC | undefined): Record<string, unknown> | undefined {
  if (!ctx?.oidc) return undefined;
  const { entities } = ctx.oidc;
  const source = (entities.AuthorizationCode ?? entities.RefreshToken ?? entities.DeviceCode ?? entities.BackchannelAuthenticationRequest) as
    { claims?: Record<string, unknown> } | undefined;
  const claims = (source ? source.claims : ctx.oidc.claims) as Record<string, unknown> | undefined;
  return claims && Object.keys(claims).length > 0 ? claims : undefined;
}

/** What the policy needs to know about a token request, from the engine's context. */
function tokenRequestFacts(ctx: KoaContextWithOIDC): TokenRequestFacts {
  const { entities, params, client } = ctx.oidc;
  const source = (entities.AuthorizationCode ?? entities.RefreshToken ?? entities.DeviceCode ?? entities.BackchannelAuthenticationRequest) as
    { accountId?: string; scope?: string; gty?: string } | undefined;
  const requested = typeof params?.scope === 'string' ? params.scope : source?.scope ?? '';
  let grantType = String(params?.grant_type ?? '');
  // A refresh is judged as the grant that first signed the user in, as Okta does (the engine names
  // the device and CIBA grants by short names; policies by their URNs).
  if (grantType === 'refresh_token' && source?.gty) {
    const first = source.gty.split(' ')[0]!;
    grantType = first === 'device_code' ? 'urn:ietf:params:oauth:grant-type:device_code' : first === 'ciba' ? 'urn:openid:params:grant-type:ciba' : first;
  }
  return { clientId: client!.clientId, grantType, accountId: source?.accountId, scopes: requested.split(' ').filter(Boolean) };
}

/** Builds the engine of one authorization server. */
export function createOidcEngine(spec: OidcServerSpec, ports: OidcPorts): OidcEngine {
  // The request under way, for the adapter's userinfo rule (the engine calls adapters without a context).
  let currentRequest: { ctx?: object } = {};
  const { Check, base } = interactionPolicy;
  const policy = base();

  // Lanyard's session is the SSO session. The engine's session follows it (see `Session.get` below),
  // and without one the user must sign in, whatever the engine remembers.
  const login = policy.get('login')!;
  login.checks.remove('no_session');
  login.checks.add(new Check('lanyard_session', 'End-User authentication is required', 'login_required', async (ctx) => {
    const current = await ports.currentAccount(ctx);
    return current && current.accountId === ctx.oidc.session?.accountId ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
  }), 0);
  // The sign-on policies (and `acr_values`) may ask more of a session than it has: a second factor,
  // a fresher sign-in, or nothing at all (deny); the interaction deals with each.
  login.checks.add(new Check('lanyard_sign_on_policy', 'the sign-on policy asks for more', 'interaction_required', async (ctx) =>
    (await ports.signOnSatisfied(ctx, ctx.oidc.client!.clientId) ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT)), 1);
  // Assignment and access policy are checked on every authorization, not only at first consent.
  policy.get('consent')!.checks.add(new Check('lanyard_access', 'the user may not use this client now', 'access_denied', async (ctx) => {
    const accountId = ctx.oidc.session?.accountId;
    if (!accountId) return Check.REQUEST_PROMPT;
    const verdict = await ports.accessCheck(ctx, accountId, ctx.oidc.client!.clientId, [...ctx.oidc.requestParamScopes]);
    return verdict === true ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
  }), 0);

  const lifetimes = new WeakMap<object, TokenLifetimes>();
  const lifetimesOf = (ctx: KoaContextWithOIDC | undefined) => (ctx ? lifetimes.get(ctx) : undefined);
  const ttlOf = (ctx: KoaContextWithOIDC) => {
    const decided = lifetimes.get(ctx);
    return decided ? { accessTokenTTL: decided.accessToken } : {};
  };

  // The server signs with its active key (listed first); the algorithms of all its keys are accepted.
  const signingAlg = (spec.jwks[0]?.alg ?? 'RS256') as 'RS256' | 'ES256';
  const keyAlgs = [...new Set(spec.jwks.map((k) => k.alg ?? 'RS256'))] as ('RS256' | 'ES256')[];
  const resourceServer = {
    scope: spec.scopes.join(' '),
    audience: spec.audience,
    accessTokenFormat: 'jwt' as const,
    jwt: { sign: { alg: signingAlg } },
  };

  const configuration: Configuration = {
    adapter: createAdapterFactory({
      ...ports.adapter,
      asId: spec.asId,
      findClient: (id) => ports.findClient(id) as never,
      isUserinfoRequest: () => currentRequest.ctx !== undefined && userinfoRequests.has(currentRequest.ctx),
    }),
    findAccount: async (ctx, sub) => {
      const account = await ports.findAccount(sub, ctx?.oidc?.client?.clientId);
      if (!account) return undefined;
      return {
        accountId: account.accountId,
        claims: async (use, scope, claims) =>
          await account.claims(use as 'id_token' | 'userinfo', new Set(scope.split(' ')), (claims ?? {}) as Record<string, unknown>) as AccountClaims,
      };
    },
    jwks: { keys: spec.jwks as never[] },
    claims: {
      sid: null, iss: null,
      ...Object.fromEntries(Object.entries(spec.claimsByScope).map(([k, v]) => [k, [...v]])),
    },
    scopes: [...spec.scopes],
    acrValues: [...acrValuesSupported],
    conformIdTokenClaims: false,
    discovery: { registration_endpoint: spec.registrationEndpoint, claim_types_supported: ['normal'] },
    allowOmittingSingleRegisteredRedirectUri: false,
    extraParams: ['sessionToken', 'idp', autoConsentParam],
    responseTypes: ['code', 'id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token', 'none'],
    subjectTypes: ['public'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'],
    extraClientMetadata: { properties: [...extraClientProperties] },
    cookies: {
      names: { session: 'lanyard_oidc_session', interaction: 'lanyard_oidc_interaction', resume: 'lanyard_oidc_resume' },
      long: { httpOnly: true, sameSite: spec.cookies.sameSite, secure: spec.cookies.secure },
      short: { httpOnly: true, sameSite: spec.cookies.sameSite, secure: spec.cookies.secure },
      keys: [...spec.cookieKeys],
    },
    routes: {
      authorization: `${spec.routePrefix}/authorize`,
      token: `${spec.routePrefix}/token`,
      userinfo: `${spec.routePrefix}/userinfo`,
      jwks: `${spec.routePrefix}/keys`,
      introspection: `${spec.routePrefix}/introspect`,
      revocation: `${spec.routePrefix}/revoke`,
      end_session: `${spec.routePrefix}/logout`,
      device_authorization: `${spec.routePrefix}/device/authorize`,
      code_verification: `${spec.routePrefix}/device/verify`,
      pushed_authorization_request: `${spec.routePrefix}/par`,
      backchannel_authentication: `${spec.routePrefix}/bc/authorize`,
      registration: `${spec.routePrefix}/engine-registration-disabled`,
    },
    pkce: {
      required: (_ctx, client) => client.clientAuthMethod === 'none' || client['lanyard_pkce_required'] === true,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // A public client may introspect only its own tokens; a confidential one, any of this server's.
        allowedPolicy: async (ctx, client, token) => client.clientAuthMethod !== 'none' || token.clientId === ctx.oidc.client?.clientId,
      },
      revocation: {
        enabled: true,
        // RFC 7009 §2.1: a client may revoke only tokens issued to it. Okta revokes an access token
        // alone, where the engine would revoke its whole grant (refresh tokens too): Lanyard deletes
        // it here and tells the engine to go no further (the answer is 200 either way).
        allowedPolicy: async (_ctx, client, token) => {
          if (token.clientId !== client.clientId) return false;
          if (token.kind !== 'AccessToken') return true;
          await token.destroy();
          return false;
        },
      },
      claimsParameter: { enabled: true },
      requestObjects: { enabled: true, requireSignedRequestObject: false },
      pushedAuthorizationRequests: { enabled: true },
      jwtResponseModes: { enabled: true },
      dPoP: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => ports.logoutPage(ctx, form, await frontchannelUris(ctx)),
        postLogoutSuccessSource: async (ctx) => ports.postLogoutPage(ctx),
      },
      deviceFlow: {
        enabled: true,
        charset: 'base-20',
        mask: '****-****',
        userCodeInputSource: async (ctx, form, _out, err) => ports.deviceInputPage(ctx, form, (ctx.oidc.params?.user_code as string | undefined) ?? undefined,
          err ? deviceCodeMessage(err) : undefined),
        userCodeConfirmSource: async (ctx, form, client, _deviceInfo, userCode) => ports.deviceConfirmPage(ctx, form, client.clientName ?? client.clientId, userCode),
        successSource: async (ctx) => ports.deviceSuccessPage(ctx, ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId ?? 'the device'),
      },
      ciba: {
        enabled: true,
        deliveryModes: ['poll'],
        processLoginHint: async (_ctx, hint) => {
          const accountId = await ports.accountForLoginHint(String(hint));
          if (!accountId) throw new errors.UnknownUserId('could not identify end-user');
          return accountId;
        },
        processLoginHintToken: async () => {
          throw new errors.InvalidRequest('login_hint_token is not supported; send login_hint');
        },
        verifyUserCode: async () => undefined,
        validateRequestContext: async () => undefined,
        // The message is shown to the user beside the request, so keep it short and plain.
        validateBindingMessage: async (_ctx, message) => {
          if (message !== undefined && !/^[\p{L}\p{N} +\-_.,:#]{1,64}$/u.test(String(message))) {
            throw new errors.InvalidBindingMessage('binding_message must be 1 to 64 letters, digits, spaces or + - _ . , : #');
          }
        },
        triggerAuthenticationDevice: async (_ctx, request, account, client) => {
          await ports.notifyBackchannelRequest({
            uid: request.jti!, clientId: client.clientId, accountId: account.accountId, scope: request.scope ?? '',
            ...(request.params?.binding_message ? { bindingMessage: String(request.params.binding_message) } : {}),
          });
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => spec.audience,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (ctx, resource) => {
          if (resource !== spec.audience) throw new errors.InvalidTarget(`resource must be ${spec.audience}`, undefined);
          // The engine drops scopes it does not know; Okta refuses the request (authorize, PAR, token).
          const unknown = String(ctx.oidc.params?.scope ?? '').split(' ').filter((s) => s && !spec.scopes.includes(s));
          if (unknown.length) throw new errors.InvalidScope('One or more scopes are not configured for the authorization server resource.', unknown.join(' '));
          if (ctx.oidc.route !== 'token' || lifetimes.has(ctx)) return { ...resourceServer, ...ttlOf(ctx) };
          // Every token grant passes here before anything is issued: the access policy decides.
          const facts = tokenRequestFacts(ctx);
          if (facts.grantType === 'client_credentials' && facts.scopes.length === 0) throw new errors.InvalidScope('No scopes were requested.', '');
          const verdict = await ports.authorizeToken(facts);
          if (typeof verdict === 'string') throw new errors.AccessDenied(verdict);
          lifetimes.set(ctx, verdict);
          return { ...resourceServer, ...ttlOf(ctx) };
        },
      },
    },
    // A client that names no algorithm gets the server's.
    clientDefaults: {
      grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: signingAlg, authorization_signed_response_alg: signingAlg,
    },
    enabledJWA: {
      idTokenSigningAlgValues: keyAlgs,
      requestObjectSigningAlgValues: ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'],
      clientAuthSigningAlgValues: ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'],
      authorizationSigningAlgValues: keyAlgs,
      userinfoSigningAlgValues: keyAlgs,
      introspectionSigningAlgValues: keyAlgs,
      dPoPSigningAlgValues: ['ES256', 'RS256', 'PS256', 'EdDSA'],
    },
    interactions: {
      policy,
      url: async (_ctx, interaction) => spec.interactionUrl(interaction.uid),
    },
    loadExistingGrant: async (ctx) => {
      const session = ctx.oidc.session!;
      const client = ctx.oidc.client!;
      const fromSession = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      const grantId = fromSession ?? (session.accountId ? await ports.rememberedGrantId(session.accountId, client.clientId) : undefined);
      const existing = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (!session.accountId) return existing;
      // Okta asks no consent of a trusted client for scopes that need none: the grant is made (or
      // extended to the scopes asked now) at once, so `prompt=none` does not fail for want of consent.
      const scopes = await ports.autoGrantScopes(client.clientId, [...ctx.oidc.requestParamScopes], [...ctx.oidc.prompts]);
      if (!scopes) return existing;
      const grant = existing ?? new ctx.oidc.provider.Grant({ accountId: session.accountId, clientId: client.clientId });
      const granted = new Set([...grant.getOIDCScopeEncountered().split(' '), ...grant.getOIDCClaimsEncountered()]);
      if (existing && [...scopes, ...ctx.oidc.requestParamClaims].every((s) => granted.has(s))) return existing;
      grant.addOIDCScope(scopes.join(' '));
      grant.addOIDCClaims([...ctx.oidc.requestParamClaims]);
      grant.addResourceScope(spec.audience, scopes.join(' '));
      await grant.save();
      return grant;
    },
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    rotateRefreshToken: (ctx) => ctx.oidc.client!['lanyard_refresh_rotation'] !== 'STATIC',
    expiresWithSession: async (_ctx, code) => !code.scopes.has('offline_access'),
    extraTokenClaims: async (ctx, token) => {
      const t = token as unknown as Record<string, unknown> & { jti: string; clientId: string; accountId?: string; grantId?: string; scope?: string; expiration: number; exp?: number };
      const scopes = (t.scope ?? '').split(' ').filter(Boolean);
      const extra = await ports.accessTokenClaims({
        clientId: t.clientId, scopes,
        ...(t.accountId ? { accountId: t.accountId } : {}),
        ...(authTimeOf(ctx) !== undefined ? { authTime: authTimeOf(ctx)! } : {}),
      });
      const now = Math.floor(Date.now() / 1000);
      const exp = t.exp ?? now + t.expiration;
      // The engine keeps no copy of a JWT access token; this one lets Lanyard introspect and revoke it.
      const payload: Record<string, unknown> = { iat: now, exp, extra };
      for (const key of ['accountId', 'aud', 'claims', 'grantId', 'scope', 'sid', 'sessionUid', 'expiresWithSession', 'jkt', 'x5t#S256', 'gty', 'clientId', 'jti', 'kind', 'resource', 'rar']) {
        if (t[key] !== undefined) payload[key] = t[key];
      }
      // The engine keeps the `claims` request parameter (its userinfo member) only on tokens without
      // an audience; Lanyard's all have one and still serve userinfo, as Okta's do.
      const requested = claimsRequestOf(ctx);
      if (payload.claims === undefined && requested) payload.claims = requested;
      await ports.recordAccessToken(t.jti, payload, t.grantId ?? null, t.accountId ?? null, t.clientId, new Date(exp * 1000));
      return extra;
    },
    formats: {
      customizers: {
        jwt: async (_ctx, token, jwt) => {
          // Okta's access tokens name the user by login in `sub` (the id is in `uid`), the client by its id.
          const accountId = (token as unknown as { accountId?: string }).accountId;
          jwt.payload.sub = accountId ? await ports.accessTokenSubject(accountId) : (token as unknown as { clientId: string }).clientId;
          jwt.header = { ...jwt.header, typ: 'JWT' };
        },
      },
    },
    ttl: {
      AuthorizationCode: spec.ttl.authorizationCode,
      IdToken: spec.ttl.idToken,
      Session: spec.ttl.session,
      Interaction: spec.ttl.interaction,
      Grant: spec.ttl.grant,
      DeviceCode: spec.ttl.deviceCode,
      BackchannelAuthenticationRequest: spec.ttl.backchannelRequest,
      AccessToken: (ctx, token) => lifetimesOf(ctx)?.accessToken ?? (token.resourceServer?.accessTokenTTL ?? 3600),
      ClientCredentials: (ctx) => lifetimesOf(ctx)?.accessToken ?? 3600,
      RefreshToken: (ctx) => {
        const rotated = ctx?.oidc?.entities.RotatedRefreshToken;
        // A rotated token keeps the expiry of the token it replaces, as Okta's do.
        if (rotated) return Math.max(1, rotated.remainingTTL);
        const lifetimes = lifetimesOf(ctx);
        if (!lifetimes) return 90 * 86400;
        return lifetimes.refreshToken > 0 ? lifetimes.refreshToken : lifetimes.refreshTokenWindow;
      },
    },
    renderError: async (ctx, out) => ports.renderError(ctx, out as unknown as Record<string, string>),
    // The engine's guard against private and loopback addresses is the `dispatcher` it passes; without it, plain fetch.
    ...(spec.allowPrivateNetwork ? { fetch: (input, init) => fetch(input, { ...init, dispatcher: undefined } as RequestInit) } : {}),
    clientBasedCORS: (_ctx, origin, client) => {
      const redirectOrigins = new Set((client.redirectUris ?? []).map((u) => { try { return new URL(u).origin; } catch { return ''; } }));
      return redirectOrigins.has(origin);
    },
  };

  const provider = new Provider(spec.issuer, configuration);
  provider.proxy = true;
  // Okta accepts either of a client's two active secrets, so a secret can be rotated without downtime;
  // the engine knows one (the newest), the others come as `lanyard_other_secrets`.
  const compareSecret = provider.Client.prototype.compareClientSecret;
  provider.Client.prototype.compareClientSecret = async function compareClientSecret(actual: string) {
    if (await compareSecret.call(this, actual)) return true;
    const others = (this as unknown as { lanyard_other_secrets?: unknown }).lanyard_other_secrets;
    const digest = (value: string) => createHash('sha256').update(value).digest();
    return Array.isArray(others) && others.some((other) => typeof other === 'string' && timingSafeEqual(digest(other), digest(actual)));
  };
  // A response type the client is not configured for is `unauthorized_client` (RFC 6749 §4.1.2.1),
  // in Okta's words; the engine would say `invalid_request`. It asks this only at /authorize and PAR.
  const responseTypeAllowed = provider.Client.prototype.responseTypeAllowed;
  provider.Client.prototype.responseTypeAllowed = function (this: InstanceType<Provider['Client']>, type: Parameters<typeof responseTypeAllowed>[0]) {
    if (responseTypeAllowed.call(this, type)) return true;
    throw new errors.UnauthorizedClient(`The client is not authorized to use the provided grant type. Configured grant types: [${this.grantTypes!.join(', ')}].`);
  };
  // The engine's session takes the account of the browser's Lanyard session (so a silent
  // `prompt=none` works right after a sign-in anywhere in the org) as it is loaded: before the
  // engine reads the account, its grant, and the login checks (max_age, id_token_hint) see it.
  // Another user's session keeps nothing of the previous user's apps.
  const getSession = provider.Session.get.bind(provider.Session);
  const followsLanyard = new Set(['authorization', 'resume', 'code_verification', 'device_resume']);
  provider.Session.get = async (ctx) => {
    const session = await getSession(ctx);
    const oidcCtx = ctx as unknown as KoaContextWithOIDC;
    if (!oidcCtx.oidc || !followsLanyard.has(oidcCtx.oidc.route)) return session;
    const current = await ports.currentAccount(oidcCtx);
    if (current && (session.accountId !== current.accountId || session.loginTs !== current.authTime || session.acr !== current.acr
      || (session.amr ?? []).join(' ') !== current.amr.join(' '))) {
      if (session.accountId && session.accountId !== current.accountId) {
        // Deleted now: a second new id (resume gives one) would make `save` forget the old record.
        await provider.Session.adapter.destroy(session.jti);
        session.authorizations = undefined;
        session.resetIdentifier();
      }
      session.loginAccount({ accountId: current.accountId, loginTs: current.authTime, amr: [...current.amr], acr: current.acr, transient: true });
      // Saved at the end of the request even when new (an interaction refers to it).
      Object.assign(session, { touched: true });
    }
    return session;
  };
  if (spec.cookies.secure) {
    // Secure cookies on http://localhost are what browsers accept (a potentially trustworthy
    // origin); the cookie library refuses them on plain http unless told the policy is deliberate.
    const createContext = provider.createContext.bind(provider);
    provider.createContext = (req, res) => {
      const context = createContext(req, res);
      context.cookies.secure = true;
      return context;
    };
  }
  for (const event of ['backchannel.error', 'server_error', 'authorization.error', 'grant.error', 'introspection.error', 'revocation.error', 'userinfo.error', 'end_session.error', 'discovery.error']) {
    provider.on(event as 'server_error', (_ctx: unknown, error: Error & { status?: number }) => {
      if (event === 'server_error' || !error.status || error.status >= 500) ports.reportError(error, event);
    });
  }
  registerTokenExchange(provider, spec, ports, resourceServer);
  provider.registerResponseMode('okta_post_message', oktaPostMessage);

  provider.use(async (ctx, next) => {
    currentRequest = { ctx };
    if (ctx.path === `${spec.routePrefix}/userinfo`) userinfoRequests.add(ctx);
    await next();
    oktaErrorWording(ctx as unknown as KoaContextWithOIDC);
    if (ctx.oidc?.route === 'introspection') await oktaIntrospection(ctx as unknown as KoaContextWithOIDC, ports);
    if (ctx.oidc?.route === 'discovery') {
      const metadata = ctx.body as { scopes_supported?: string[]; response_modes_supported?: string[] };
      // Okta publishes only the scopes whose metadataPublish is ALL_CLIENTS, and its own response mode.
      if (spec.publishedScopes) {
        const published = new Set(spec.publishedScopes);
        metadata.scopes_supported = metadata.scopes_supported?.filter((s) => published.has(s));
      }
      if (metadata.response_modes_supported && !metadata.response_modes_supported.includes('okta_post_message')) {
        metadata.response_modes_supported.push('okta_post_message');
      }
    }
    await beforeAnswer.get(ctx.req)?.(ctx.status);
  });

  return {
    issuer: spec.issuer,
    middleware: mountMiddleware(provider, spec.mountPath, ports.adapter.verifyAccessTokenJwt),
    interactionDetails: async ({ req, res }) => {
      const details = await provider.interactionDetails(req, res);
      return {
        uid: details.uid,
        prompt: details.prompt as InteractionDetails['prompt'],
        params: details.params as Record<string, unknown>,
        ...(details.session?.accountId ? { session: { accountId: details.session.accountId } } : {}),
        ...(details.grantId ? { grantId: details.grantId } : {}),
      };
    },
    finishInteraction: async ({ req, res }, outcome) => {
      if ('error' in outcome) {
        await provider.interactionFinished(req, res, { error: outcome.error, error_description: outcome.description }, { mergeWithLastSubmission: false });
      } else if ('login' in outcome) {
        await provider.interactionFinished(req, res, {
          login: { accountId: outcome.login.accountId, ts: outcome.login.authTime, amr: [...outcome.login.amr], ...(outcome.login.acr ? { acr: outcome.login.acr } : {}), remember: false },
        }, { mergeWithLastSubmission: false });
      } else {
        await provider.interactionFinished(req, res, { consent: { grantId: outcome.consent.grantId } }, { mergeWithLastSubmission: true });
      }
    },
    grant: async (accountId, clientId, scopes, claims, existingGrantId) => {
      const grant = (existingGrantId ? await provider.Grant.find(existingGrantId) : undefined) ?? new provider.Grant({ accountId, clientId });
      grant.addOIDCScope(scopes.join(' '));
      if (claims.length) grant.addOIDCClaims([...claims]);
      grant.addResourceScope(spec.audience, scopes.join(' '));
      return grant.save();
    },
    resolveBackchannelRequest: async (uid, approve) => {
      const request = await provider.BackchannelAuthenticationRequest.find(uid);
      if (!request || request.grantId || request.error) return false;
      if (!approve) {
        await provider.backchannelResult(request, new errors.AccessDenied('end-user denied the authorization request'));
        return true;
      }
      if (approve.accountId !== request.accountId) return false;
      const grant = new provider.Grant({ accountId: approve.accountId, clientId: request.clientId });
      grant.addOIDCScope(approve.scopes.join(' '));
      grant.addResourceScope(spec.audience, approve.scopes.join(' '));
      await grant.save();
      await provider.backchannelResult(request, grant, { amr: ['pwd'], authTime: Math.floor(Date.now() / 1000) });
      return true;
    },
  };
}

const tokenExchangeGrant = 'urn:ietf:params:oauth:grant-type:token-exchange';
const accessTokenType = 'urn:ietf:params:oauth:token-type:access_token';

/**
 * OAuth 2.0 Token Exchange (RFC 8693), on-behalf-of: an API (a confidential client of the same
 * server) exchanges the access token it received for one of its own, for the same user, with the
 * scopes the server's policy allows it.
 */
function registerTokenExchange(provider: Provider, spec: OidcServerSpec, ports: OidcPorts,
  resourceServer: { scope: string; audience: string; accessTokenFormat: 'jwt'; jwt: { sign: { alg: 'RS256' | 'ES256' } } }): void {
  provider.registerGrantType(tokenExchangeGrant, async (ctx) => {
    const { params, client } = ctx.oidc;
    // RFC 8693 §2.1: subject_token and subject_token_type are REQUIRED.
    if (!params!.subject_token || !params!.subject_token_type) throw new errors.InvalidRequest('subject_token and subject_token_type are required');
    if (params!.subject_token_type !== accessTokenType) throw new errors.InvalidRequest(`subject_token_type must be ${accessTokenType}`);
    if (params!.actor_token) throw new errors.InvalidRequest('actor_token is not supported');
    if (params!.requested_token_type && params!.requested_token_type !== accessTokenType) {
      throw new errors.InvalidRequest(`requested_token_type must be ${accessTokenType}`);
    }
    if (params!.audience && params!.audience !== spec.audience) throw new errors.InvalidTarget(`audience must be ${spec.audience}`, undefined);
    const subject = await ports.verifySubjectToken(String(params!.subject_token));
    if (!subject) throw new errors.InvalidGrant('subject_token is invalid, expired or revoked');
    const available = new Set(resourceServer.scope.split(' '));
    const requested = params!.scope ? String(params!.scope).split(' ').filter(Boolean) : subject.scopes.filter((s) => available.has(s));
    const unknown = requested.filter((s) => !available.has(s));
    if (unknown.length) throw new errors.InvalidScope('One or more scopes are not configured for the authorization server resource.', unknown.join(' '));
    const verdict = await ports.authorizeToken({ clientId: client!.clientId, grantType: tokenExchangeGrant, accountId: subject.accountId, scopes: requested });
    if (typeof verdict === 'string') throw new errors.AccessDenied(verdict);
    // The exchanged token hangs off a grant of its own, so revoking the grant revokes it.
    const grant = new provider.Grant({ accountId: subject.accountId, clientId: client!.clientId });
    grant.addResourceScope(spec.audience, requested.join(' '));
    const grantId = await grant.save();
    const token = new provider.AccessToken({ accountId: subject.accountId, client: client!, gty: 'token-exchange', scope: requested.join(' '), grantId });
    token.resourceServer = new provider.ResourceServer(spec.audience, { ...resourceServer, accessTokenTTL: verdict.accessToken });
    ctx.oidc.entity('AccessToken', token);
    const value = await token.save();
    ctx.body = { access_token: value, issued_token_type: accessTokenType, token_type: 'Bearer', expires_in: token.expiration, scope: token.scope };
  }, ['subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'requested_token_type', 'audience', 'resource', 'scope'], ['audience', 'resource']);
}

/**
 * Okta's `okta_post_message` response mode (used by its JavaScript SDK for silent sign-in in a
 * hidden iframe): the response goes to the parent window by `postMessage`, to the redirect URI's
 * origin only.
 */
async function oktaPostMessage(ctx: KoaContextWithOIDC, redirectUri: string, response: Record<string, unknown>): Promise<void> {
  const origin = new URL(redirectUri).origin;
  const nonce = randomUUID();
  const data = JSON.stringify(response).replace(/</g, '\\u003c');
  ctx.type = 'html';
  ctx.set('Content-Security-Policy', `default-src 'none'; script-src 'nonce-${nonce}'; frame-ancestors ${origin}`);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = `<!doctype html><html><head><title>Signing in</title></head><body><script nonce="${nonce}">window.parent.postMessage(${data}, ${JSON.stringify(origin)});</script></body></html>`;
}

/**
 * The request with a different form body. The engine reads bodies with `req.iterator()`; this
 * hands it the new bytes (and the matching Content-Length) and forwards everything else.
 */
function withFormBody(req: IncomingMessage, body: string): IncomingMessage {
  const bytes = Buffer.from(body, 'utf8');
  const headers = { ...req.headers, 'content-length': String(bytes.length) };
  return new Proxy(req, {
    get(target, prop) {
      if (prop === 'headers') return headers;
      if (prop === 'iterator') return () => Readable.from([bytes]).iterator();
      if (prop === 'readable') return true;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * JWT access tokens at introspection and revocation: the engine accepts only token ids there, so
 * a JWT this server signed is replaced by its `jti` (after its signature is checked). Client
 * authentication and everything else stays with the engine.
 * Authorization requests sent in a form (PAR, POST to authorize) get the consent prompt that
 * `offline_access` needs, as GET requests do (see {@link withOfflineConsent}).
 */
async function swapJwtForJti(req: IncomingMessage, route: string, verify: (token: string) => Promise<string | undefined>): Promise<IncomingMessage> {
  if (req.method !== 'POST' || !/\/(introspect|revoke|v1\/par|v1\/authorize)$/.test(route)) return req;
  if (!/^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')) return req;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // The engine's own limit: beyond it the request is refused either way.
    if (size > 56 * 1024) return withFormBody(req, Buffer.concat(chunks).toString('utf8'));
    chunks.push(chunk);
  }
  const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  if (/\/v1\/(par|authorize)$/.test(route)) return withFormBody(req, (withOfflineConsent(form) ?? form).toString());
  const token = form.get('token');
  if (token && form.getAll('token').length === 1 && token.split('.').length === 3) {
    const jti = await verify(token);
    // An unknown or foreign JWT becomes a token id that matches nothing: "active": false, as for any unknown token.
    form.set('token', jti ?? `unknown-${randomUUID()}`);
    if (!form.get('token_type_hint')) form.set('token_type_hint', 'access_token');
  }
  return withFormBody(req, form.toString());
}

/**
 * Serves the engine's routes under `mountPath`: the path the engine sees has the prefix removed,
 * and `ctx.req.originalUrl` keeps it so the URLs the engine writes are right.
 */
function mountMiddleware(provider: Provider, mountPath: string, verifyJwt: (token: string) => Promise<string | undefined>): Middleware {
  const callback = provider.callback();
  return async (ctx) => {
    const original = ctx.req.url ?? '/';
    (ctx.req as { originalUrl?: string }).originalUrl = original;
    if (mountPath) ctx.req.url = original.slice(mountPath.length) || '/';
    const req = await swapJwtForJti(ctx.req, ctx.req.url!.split('?')[0]!, verifyJwt);
    ctx.respond = false;
    await new Promise<void>((resolve, reject) => {
      ctx.res.once('finish', resolve);
      ctx.res.once('close', resolve);
      Promise.resolve(callback(req, ctx.res)).catch(reject);
    });
  };
}
