/**
 * WS-Federation passive requestor sign-in for one app (`wa=wsignin1.0`): the realm must be the
 * app's and the reply URL one registered for it; the person signs in, and an assigned user's
 * signed token is posted to the reply URL with the relying party's `wctx`. `wsignout1.0` ends
 * the session and returns only to a registered reply URL.
 */
import { samlAuthnContextClass } from '../domain/assurance.ts';
import { randomBytes } from 'node:crypto';
import type { App } from '../domain/app.ts';
import type { Org } from '../domain/org.ts';
import type { User } from '../domain/user.ts';
import { orgUrl } from '../domain/org-url.ts';
import { resolveWsFedRelyingParty, selectReplyUrl, type WsFedRelyingParty } from '../domain/wsfed-app.ts';
import { notFound } from '../kernel/errors.ts';
import { looksLikeId } from '../kernel/ids.ts';
import { buildWsFedMetadata } from '../protocols/wsfed/metadata.ts';
import { buildWsFedResponse, claimType } from '../protocols/wsfed/response.ts';
import type { WsFedRequest, WsFedTokenType } from '../protocols/wsfed/request.ts';
import { SamlError } from '../protocols/saml/xml.ts';
import type { ServiceDeps } from './deps.ts';
import type { AppKeyService } from './app-keys.ts';
import type { ProtocolState } from './protocol-state.ts';
import type { SessionRecord } from './ports.ts';
import type { Caller } from './caller.ts';
import type { SsoStep } from './saml-sso.ts';
import { buildExpressionContext } from './expression-context.ts';
import { ClaimError, federationAttributes, federationNameId } from './federation-claims.ts';
import { policyStep, refuseUnassigned, ssoEvent } from './federation-access.ts';
import type { MfaSignOn } from '../signin/mfa.ts';

const pendingSeconds = 1800;
const tokenLifetimeSeconds = 3600;
const notBeforeSkewSeconds = 300;

interface PendingWsFed extends Record<string, unknown> {
  readonly appId: string;
  readonly reply: string;
  readonly context: string | undefined;
  readonly freshness: number | undefined;
  /** The token type the request's `wreq` asked for, if any. */
  readonly tokenType: WsFedTokenType | undefined;
  readonly requestedAt: string;
}

/** A parked request's id: 18 random bytes, base64url. */
const pendingIdPattern = /^[A-Za-z0-9_-]{24}$/;

/** Okta's generated realm, which names the app on the shared endpoint `/app/template_wsfed/sso/wsfed/passive`. */
const generatedRealm = /^urn:okta:app:([A-Za-z0-9]{1,40})$/;

export interface WsFedAppContext {
  readonly app: App;
  readonly rp: WsFedRelyingParty;
  readonly passiveUrl: string;
  readonly metadataUrl: string;
  readonly issuer: string;
}

export function createWsFedSso(deps: ServiceDeps, appKeys: AppKeyService, state: ProtocolState, mfa: MfaSignOn) {
  const { store, clock } = deps;

  async function appContext(org: Org, appId: string, appName?: string): Promise<WsFedAppContext> {
    // Junk never reaches the store (PostgreSQL refuses text holding NUL outright).
    const app = looksLikeId(appId) ? await store.forOrg(org.id).apps.findById(appId) : undefined;
    if (!app || app.signOnMode !== 'WS_FEDERATION' || app.status !== 'ACTIVE' || (appName !== undefined && appName !== app.name)) {
      throw notFound('AppInstance', appId.replace(/[^\w-]/g, '').slice(0, 40));
    }
    const base = orgUrl(org, deps.baseUrl);
    const resolved = resolveWsFedRelyingParty(app.settings.app, { orgUrl: base, appId: app.id, orgExternalKey: app.id });
    if (!resolved.ok) throw new SamlError('invalid', `This app's settings are incomplete: ${resolved.causes[0] ?? 'unknown problem'}`);
    return {
      app, rp: resolved.rp,
      passiveUrl: `${base}/app/${app.name}/${app.id}/sso/wsfed/passive`,
      metadataUrl: `${base}/app/${app.id}/sso/wsfed/metadata`,
      issuer: resolved.rp.issuer,
    };
  }

  /**
   * The app a request to the shared endpoint is for: Okta's shared endpoint names no app, and the
   * generated realm `urn:okta:app:{id}` in `wtrealm` says which (an app with a realm of its own is
   * reached on its own endpoint only, as the realm check in {@link receive} makes sure).
   */
  async function sharedEndpointContext(org: Org, realm: string | undefined): Promise<WsFedAppContext> {
    const appId = generatedRealm.exec(realm ?? '')?.[1];
    if (!appId) throw new SamlError('invalid', 'wtrealm must be an app\'s generated realm (urn:okta:app:…) on the shared endpoint.');
    return appContext(org, appId, 'template_wsfed');
  }

  function signingKid(app: App): string | undefined {
    const kid = (app.credentials.signing as { kid?: unknown } | undefined)?.kid;
    return typeof kid === 'string' ? kid : undefined;
  }

  async function metadata(org: Org, appId: string): Promise<string> {
    const context = await appContext(org, appId);
    const key = await appKeys.signingMaterial(org.id, appId, signingKid(context.app));
    return buildWsFedMetadata({
      entityId: context.issuer, passiveEndpoint: context.passiveUrl, certificates: [key.certificatePem],
      claims: context.rp.attributeStatements.map((a) => {
        const uri = claimType({ name: a.name, nameFormat: a.namespace });
        return { uri, displayName: uri.slice(uri.lastIndexOf('/') + 1) };
      }),
    });
  }

  /** The reply URL to use: the registered one, or a `wreply` the app allows. */
  function replyFor(rp: WsFedRelyingParty, wreply: string | undefined): string {
    const reply = selectReplyUrl(rp, wreply);
    if (!reply) throw new SamlError('invalid', 'wreply is not a reply URL registered for this app.');
    return reply;
  }

  /** Checks a sign-in request and parks it; returns where the browser continues. */
  async function receive(org: Org, context: WsFedAppContext, request: WsFedRequest): Promise<string> {
    if (request.realm !== context.rp.realm) throw new SamlError('invalid', 'wtrealm is not this app\'s realm.');
    const pending: PendingWsFed = {
      appId: context.app.id, reply: replyFor(context.rp, request.reply), context: request.context, freshness: request.freshness,
      tokenType: request.tokenType, requestedAt: clock.now().toISOString(),
    };
    const id = randomBytes(18).toString('base64url');
    await state.put(org.id, 'SamlRequest', id, pending, pendingSeconds);
    return `${new URL(context.passiveUrl).pathname}/continue/${id}`;
  }

  async function complete(caller: Caller, context: WsFedAppContext, pendingId: string,
    active: { readonly user: User; readonly session: SessionRecord } | undefined): Promise<SsoStep> {
    const org = caller.org;
    const continueUrl = `${new URL(context.passiveUrl).pathname}/continue/${pendingId}`;
    // Only ids this service issues reach the store (PostgreSQL refuses text holding NUL outright).
    const pending = pendingIdPattern.test(pendingId) ? await state.get<PendingWsFed>(org.id, 'SamlRequest', pendingId) : undefined;
    if (!pending || pending.appId !== context.app.id) {
      return { kind: 'refused', status: 400, title: 'This sign-in request has expired', message: 'Go back to the app and sign in again.' };
    }
    if (!active) return { kind: 'signin', continueUrl, reauth: false };
    // wfresh=0 asks for a sign-in made for this request; wfresh=N for one at most N minutes old.
    if (pending.freshness !== undefined) {
      const limit = pending.freshness === 0 ? Date.parse(pending.requestedAt) : clock.now().getTime() - pending.freshness * 60_000;
      if (Date.parse(active.session.created) < limit) return { kind: 'signin', continueUrl, reauth: true };
    }
    const refusal = await refuseUnassigned(deps, caller, context.app, active.user);
    if (refusal) {
      await state.remove(org.id, 'SamlRequest', pendingId);
      return refusal;
    }
    const policy = await policyStep(deps, mfa, caller, context.app, active, continueUrl);
    if (policy?.kind === 'refused') await state.remove(org.id, 'SamlRequest', pendingId);
    if (policy) return policy;
    await state.remove(org.id, 'SamlRequest', pendingId);
    try {
      const expressions = await buildExpressionContext(deps, org, active.user, { app: context.app }, { amr: [...active.session.amr] });
      const key = await appKeys.signingMaterial(org.id, context.app.id, signingKid(context.app));
      const wresult = buildWsFedResponse({
        issuer: context.issuer, realm: context.rp.realm, audience: context.rp.audience, reply: pending.reply,
        nameId: { value: federationNameId(context.rp.nameId.template, context.rp.nameId.format, expressions), format: context.rp.nameId.format },
        attributes: federationAttributes(context.rp.attributeStatements, expressions), authnInstant: new Date(active.session.created),
        authnContextClassRef: samlAuthnContextClass(context.rp.authnContextClassRef, active.session.amr), sessionIndex: active.session.id, now: clock.now(),
        lifetimeSeconds: tokenLifetimeSeconds, skewSeconds: notBeforeSkewSeconds,
      }, { key, signatureAlgorithm: context.rp.signatureAlgorithm, digestAlgorithm: context.rp.digestAlgorithm }, pending.tokenType ?? context.rp.tokenType);
      await store.forOrg(org.id).logs.append(ssoEvent(deps, caller, active.user, context.app, 'SUCCESS'));
      return { kind: 'post', url: pending.reply, fields: { wa: 'wsignin1.0', wresult, wctx: pending.context } };
    } catch (error) {
      if (!(error instanceof ClaimError)) throw error;
      return { kind: 'refused', status: 500, title: `Sign-in to ${context.app.label} failed`, message: `${error.message} Ask your administrator to check the app's settings.` };
    }
  }

  /** `wsignout1.0`: where to go once the session is ended — a registered reply URL, or Lanyard's signed-out page. */
  function signOutTarget(context: WsFedAppContext, wreply: string | undefined): string | undefined {
    if (wreply === undefined) return undefined;
    try {
      return replyFor(context.rp, wreply);
    } catch {
      return undefined;
    }
  }

  return { appContext, sharedEndpointContext, metadata, receive, complete, signOutTarget };
}

export type WsFedSso = ReturnType<typeof createWsFedSso>;
