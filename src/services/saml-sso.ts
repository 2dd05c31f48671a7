/**
 * SAML 2.0 single sign-on for one app: an SP's AuthnRequest (or an IdP-initiated start) is
 * checked and parked until the person has a session, then answered with a signed assertion for
 * an assigned user, posted only to an ACS URL registered for the app. Every answered request ID
 * is claimed once, so a replayed request gets nothing.
 */
import { samlAuthnContextClass } from '../domain/assurance.ts';
import { randomBytes } from 'node:crypto';
import type { App } from '../domain/app.ts';
import type { Org } from '../domain/org.ts';
import type { User } from '../domain/user.ts';
import { orgUrl } from '../domain/org-url.ts';
import { resolveSamlServiceProvider, selectAcsUrl, type SamlServiceProvider } from '../domain/saml-app.ts';
import { notFound } from '../kernel/errors.ts';
import { looksLikeId } from '../kernel/ids.ts';
import { readAuthnRequest, type Binding } from '../protocols/saml/authn-request.ts';
import { buildErrorResponse, buildResponse, statusCodes, type ResponseSigning } from '../protocols/saml/response.ts';
import { buildIdpMetadata } from '../protocols/saml/metadata.ts';
import { SamlError } from '../protocols/saml/xml.ts';
import type { SessionRecord } from './ports.ts';
import type { ServiceDeps } from './deps.ts';
import type { AppKeyService } from './app-keys.ts';
import type { ProtocolState } from './protocol-state.ts';
import { buildExpressionContext } from './expression-context.ts';
import { ClaimError, federationAttributes, federationNameId } from './federation-claims.ts';
import { logRefusedRequest, policyStep, refuseUnassigned, ssoEvent, type Refusal } from './federation-access.ts';
import type { MfaSignOn } from '../signin/mfa.ts';
import type { Caller } from './caller.ts';

const transientFormat = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';

/** How old an AuthnRequest may be, and how far ahead of our clock its IssueInstant may lie. */
const requestMaxAgeSeconds = 600;
const clockSkewSeconds = 180;
/** How long a parked request waits for the person to sign in. */
const pendingSeconds = 1800;
/** The assertion's validity, and how far NotBefore lies before its issue. */
const assertionLifetimeSeconds = 300;
const notBeforeSkewSeconds = 300;

/** A request parked while the person signs in. */
interface PendingSso extends Record<string, unknown> {
  readonly appId: string;
  readonly acsUrl: string;
  readonly relayState: string | undefined;
  readonly requestId: string | undefined;
  readonly forceAuthn: boolean;
  readonly isPassive: boolean;
  /** `transient` when the request's NameIDPolicy asks for it (always possible); otherwise the app's format is used. */
  readonly transientNameId?: boolean;
  readonly requestedAt: string;
}

/** A service provider the session signed in to, for single logout. */
export interface SamlParticipant extends Record<string, unknown> {
  readonly sessionId: string;
  readonly appId: string;
  readonly nameId: string;
  readonly nameIdFormat: string;
  readonly sessionIndex: string;
}

export type SsoStep =
  /** Post the message to the service provider. */
  | { readonly kind: 'post'; readonly url: string; readonly fields: Readonly<Record<string, string | undefined>> }
  /** The person must sign in (again, when `reauth`) and come back to `continueUrl`. */
  | { readonly kind: 'signin'; readonly continueUrl: string; readonly reauth: boolean; readonly mfa?: boolean }
  /** Nothing may be sent: show why. */
  | Refusal;

export interface SamlAppContext {
  readonly app: App;
  readonly sp: SamlServiceProvider;
  readonly ssoUrl: string;
  readonly sloUrl: string;
  readonly metadataUrl: string;
}

export function createSamlSso(deps: ServiceDeps, appKeys: AppKeyService, state: ProtocolState, mfa: MfaSignOn) {
  const { store, clock } = deps;

  /** The active SAML app `appId` of the org, with its resolved service-provider settings. */
  async function appContext(org: Org, appId: string, appName?: string, options: { includeInactive?: boolean } = {}): Promise<SamlAppContext> {
    const app = looksLikeId(appId) ? await store.forOrg(org.id).apps.findById(appId) : undefined;
    if (!app || app.signOnMode !== 'SAML_2_0' || (app.status !== 'ACTIVE' && !options.includeInactive) || (appName !== undefined && appName !== app.name)) {
      throw notFound('AppInstance', appId.slice(0, 40));
    }
    const base = orgUrl(org, deps.baseUrl);
    const resolved = resolveSamlServiceProvider(app.settings.signOn, { orgUrl: base, appId: app.id, orgExternalKey: app.id });
    if (!resolved.ok) throw new SamlError('invalid', `This app's settings are incomplete: ${resolved.causes[0] ?? 'unknown problem'}`);
    return {
      app, sp: resolved.sp,
      ssoUrl: `${base}/app/${app.name}/${app.id}/sso/saml`,
      sloUrl: `${base}/app/${app.name}/${app.id}/slo/saml`,
      metadataUrl: `${base}/app/${app.id}/sso/saml/metadata`,
    };
  }

  /** The app's IdP metadata, with its signing certificate (or the key `kid` of the app, for a rotation preview). */
  async function metadata(org: Org, appId: string, options: { kid?: string | undefined; includeInactive?: boolean } = {}): Promise<string> {
    const context = await appContext(org, appId, undefined, { includeInactive: options.includeInactive ?? false });
    const key = await appKeys.signingMaterial(org.id, appId, options.kid ?? signingKid(context.app));
    return buildIdpMetadata({
      entityId: context.sp.idpIssuer, ssoUrl: context.ssoUrl, sloUrl: context.sloUrl,
      certificates: [key.certificatePem], wantAuthnRequestsSigned: context.sp.requireSignedRequests, nameIdFormats: [context.sp.nameId.format],
    });
  }

  /** The app's signing certificate as PEM, for SPs that ask for the certificate file rather than metadata. */
  async function certificate(org: Org, appId: string): Promise<string> {
    const context = await appContext(org, appId, undefined, { includeInactive: false });
    return (await appKeys.signingMaterial(org.id, appId, signingKid(context.app))).certificatePem;
  }

  function signingKid(app: App): string | undefined {
    const kid = (app.credentials.signing as { kid?: unknown } | undefined)?.kid;
    return typeof kid === 'string' ? kid : undefined;
  }

  function continueUrl(context: SamlAppContext, pendingId: string): string {
    return `${new URL(context.ssoUrl).pathname}/continue/${pendingId}`;
  }

  /**
   * Checks an SP-initiated request and parks it. Throws {@link SamlError} for anything that must
   * not be answered (and so gets an error page, never a response to an unchecked URL).
   */
  async function receive(org: Org, context: SamlAppContext, message: { binding: Binding; encoded: string; relayState: string | undefined; rawQuery: string }): Promise<string> {
    const { sp } = context;
    const request = readAuthnRequest(message.binding, message.encoded, message.rawQuery, {
      certificates: sp.spCertificates, required: sp.requireSignedRequests, allowSha1: sp.signatureAlgorithm === 'RSA_SHA1',
    });
    const now = clock.now().getTime();
    if (request.issueInstant.getTime() < now - requestMaxAgeSeconds * 1000 || request.issueInstant.getTime() > now + clockSkewSeconds * 1000) {
      throw new SamlError('invalid', 'The authentication request has expired or is not yet valid (check the clocks).');
    }
    const expectedIssuer = sp.spIssuer ?? sp.entityId;
    if (request.issuer !== undefined && request.issuer !== expectedIssuer) {
      throw new SamlError('invalid', 'The request\'s Issuer is not this app\'s service provider.');
    }
    if (request.destination !== undefined && request.destination !== context.ssoUrl) {
      throw new SamlError('invalid', 'The request\'s Destination is not this app\'s sign-on URL.');
    }
    const acsUrl = selectAcsUrl(sp, { url: request.assertionConsumerServiceUrl, index: request.assertionConsumerServiceIndex });
    if (!acsUrl) throw new SamlError('invalid', 'The AssertionConsumerServiceURL is not registered for this app.');
    if (request.protocolBinding !== undefined && request.protocolBinding !== 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST') {
      throw new SamlError('unsupported', 'Responses are sent with the HTTP-POST binding only.');
    }
    if (await state.get(org.id, 'SamlReplay', replayKey(context.app.id, request.id))) {
      throw new SamlError('invalid', 'This authentication request was already answered.');
    }
    return park(org, context, {
      appId: context.app.id, acsUrl, relayState: message.relayState, requestId: request.id,
      forceAuthn: request.forceAuthn && sp.honorForceAuthn, isPassive: request.isPassive, requestedAt: clock.now().toISOString(),
      transientNameId: request.nameIdPolicy?.format === transientFormat,
    });
  }

  /** An IdP-initiated sign-in: no request, the default ACS URL, the given or default RelayState. */
  async function startIdpInitiated(org: Org, context: SamlAppContext, relayState: string | undefined): Promise<string> {
    return park(org, context, {
      appId: context.app.id, acsUrl: context.sp.defaultAcsUrl, relayState: relayState ?? context.sp.defaultRelayState ?? undefined,
      requestId: undefined, forceAuthn: false, isPassive: false, requestedAt: clock.now().toISOString(),
    });
  }

  async function park(org: Org, context: SamlAppContext, pending: PendingSso): Promise<string> {
    const id = randomBytes(18).toString('base64url');
    await state.put(org.id, 'SamlRequest', id, pending, pendingSeconds);
    return continueUrl(context, id);
  }

  const replayKey = (appId: string, requestId: string) => `${appId}:${requestId}`;

  /**
   * Answers a parked request for the person signed in (or not): sign-in first, a response posted
   * to the checked ACS URL, a NoPassive error to it, or a refusal page.
   */
  async function complete(caller: Caller, context: SamlAppContext, pendingId: string,
    active: { readonly user: User; readonly session: SessionRecord } | undefined): Promise<SsoStep> {
    const org = caller.org;
    const pending = /^[A-Za-z0-9_-]{24}$/.test(pendingId) ? await state.get<PendingSso>(org.id, 'SamlRequest', pendingId) : undefined;
    if (!pending || pending.appId !== context.app.id) {
      return { kind: 'refused', status: 400, title: 'This sign-in request has expired', message: 'Go back to the app and sign in again.' };
    }
    const signing = await responseSigning(org, context);
    // An error response carries no assertion: its own signature is the only one an SP can check
    // (node-saml, for one, refuses an unsigned NoPassive), so it is signed whatever responseSigned says.
    const errorTo = (top: string, second: string, message: string): SsoStep => ({
      kind: 'post', url: pending.acsUrl,
      fields: {
        SAMLResponse: Buffer.from(buildErrorResponse({ issuer: context.sp.idpIssuer, destination: pending.acsUrl, inResponseTo: pending.requestId, now: clock.now() },
          { top, second, message }, { ...signing, signResponse: true })).toString('base64'),
        RelayState: pending.relayState,
      },
    });
    if (!active) {
      if (pending.isPassive) {
        await state.remove(org.id, 'SamlRequest', pendingId);
        return errorTo(statusCodes.responder, statusCodes.noPassive, 'The user is not signed in.');
      }
      return { kind: 'signin', continueUrl: continueUrl(context, pendingId), reauth: false };
    }
    if (pending.forceAuthn && Date.parse(active.session.created) < Date.parse(pending.requestedAt)) {
      // ForceAuthn asks for a fresh sign-in, IsPassive forbids asking: SAML core §3.4.1 says NoPassive.
      if (pending.isPassive) {
        await state.remove(org.id, 'SamlRequest', pendingId);
        return errorTo(statusCodes.responder, statusCodes.noPassive, 'A fresh sign-in was requested without letting the user sign in.');
      }
      return { kind: 'signin', continueUrl: continueUrl(context, pendingId), reauth: true };
    }
    const refusal = await refuseUnassigned(deps, caller, context.app, active.user);
    if (refusal) {
      await state.remove(org.id, 'SamlRequest', pendingId);
      return refusal;
    }
    const policy = await policyStep(deps, mfa, caller, context.app, active, continueUrl(context, pendingId));
    if (policy?.kind === 'refused') await state.remove(org.id, 'SamlRequest', pendingId);
    if (policy?.kind === 'signin' && pending.isPassive) {
      await state.remove(org.id, 'SamlRequest', pendingId);
      return errorTo(statusCodes.responder, statusCodes.noPassive, 'The app\'s sign-on policy asks the user for more than the session has.');
    }
    if (policy) return policy;
    // The request ID is answered once, for as long as the request itself could be accepted.
    if (pending.requestId && !(await state.claim(org.id, 'SamlReplay', replayKey(context.app.id, pending.requestId), requestMaxAgeSeconds + clockSkewSeconds))) {
      await state.remove(org.id, 'SamlRequest', pendingId);
      return { kind: 'refused', status: 400, title: 'This sign-in request was already used', message: 'Go back to the app and sign in again.' };
    }
    await state.remove(org.id, 'SamlRequest', pendingId);

    try {
      const participant = await participantFor(org, context, active, pending.transientNameId === true);
      const expressions = await buildExpressionContext(deps, org, active.user, { app: context.app }, { amr: [...active.session.amr] });
      // The admin's Recipient and Destination apply to the default ACS; another registered ACS is named as itself.
      const atDefault = pending.acsUrl === context.sp.defaultAcsUrl;
      const xml = await buildResponse({
        issuer: context.sp.idpIssuer, destination: atDefault ? context.sp.destination : pending.acsUrl,
        recipient: atDefault ? context.sp.recipient : pending.acsUrl, audience: context.sp.entityId,
        inResponseTo: pending.requestId, nameId: { value: participant.nameId, format: participant.nameIdFormat },
        sessionIndex: participant.sessionIndex, authnInstant: new Date(active.session.created), authnContextClassRef: samlAuthnContextClass(context.sp.authnContextClassRef, active.session.amr),
        sessionNotOnOrAfter: context.sp.sessionLifetimeSeconds === undefined ? undefined : new Date(clock.now().getTime() + context.sp.sessionLifetimeSeconds * 1000),
        attributes: federationAttributes(context.sp.attributeStatements, expressions), now: clock.now(),
        lifetimeSeconds: assertionLifetimeSeconds, skewSeconds: notBeforeSkewSeconds,
      }, signing, context.sp.encryption);
      await store.forOrg(org.id).logs.append(ssoEvent(deps, caller, active.user, context.app, 'SUCCESS'));
      return { kind: 'post', url: pending.acsUrl, fields: { SAMLResponse: Buffer.from(xml).toString('base64'), RelayState: pending.relayState } };
    } catch (error) {
      if (!(error instanceof ClaimError)) throw error;
      return { kind: 'refused', status: 500, title: `Sign-in to ${context.app.label} failed`, message: `${error.message} Ask your administrator to check the app's settings.` };
    }
  }

  async function responseSigning(org: Org, context: SamlAppContext): Promise<ResponseSigning> {
    return {
      key: await appKeys.signingMaterial(org.id, context.app.id, signingKid(context.app)),
      signatureAlgorithm: context.sp.signatureAlgorithm, digestAlgorithm: context.sp.digestAlgorithm,
      signAssertion: context.sp.signAssertion, signResponse: context.sp.signResponse,
    };
  }

  /** The session's participation in this app: the same NameID and SessionIndex every time in one session. */
  async function participantFor(org: Org, context: SamlAppContext, active: { readonly user: User; readonly session: SessionRecord },
    transient: boolean): Promise<SamlParticipant> {
    const id = `${active.session.id}:${context.app.id}`;
    const existing = await state.get<SamlParticipant>(org.id, 'SamlParticipant', id);
    if (existing) return existing;
    const expressions = await buildExpressionContext(deps, org, active.user, { app: context.app });
    const participant: SamlParticipant = {
      sessionId: active.session.id, appId: context.app.id,
      nameId: federationNameId(context.sp.nameId.template, transient ? transientFormat : context.sp.nameId.format, expressions),
      nameIdFormat: transient ? transientFormat : context.sp.nameId.format,
      sessionIndex: `_${randomBytes(16).toString('hex')}`,
    };
    const ttl = Math.max(60, Math.ceil((Date.parse(active.session.expiresAt) - clock.now().getTime()) / 1000));
    await state.put(org.id, 'SamlParticipant', id, participant, ttl, active.user.id);
    return participant;
  }

  /** Logs a refused request of an app's sign-in endpoints (SAML or WS-Federation) for the admin. */
  async function recordRefusal(caller: Caller, appId: string, reason: string): Promise<void> {
    const app = looksLikeId(appId) ? await store.forOrg(caller.org.id).apps.findById(appId) : undefined;
    await logRefusedRequest(deps, caller, app, reason);
  }

  return { appContext, metadata, certificate, receive, startIdpInitiated, complete, recordRefusal };
}

export type SamlSso = ReturnType<typeof createSamlSso>;
