/**
 * SAML single logout. A service provider's signed LogoutRequest ends the person's Lanyard
 * session; every other service provider the session signed in to that takes part in single
 * logout is then sent a signed LogoutRequest in turn (front channel, through the browser), and
 * when the last has answered the first gets its LogoutResponse. Sign-out on Lanyard's own page
 * starts the same round without an initiating service provider.
 */
import { randomBytes } from 'node:crypto';
import type { Org } from '../domain/org.ts';
import type { Binding } from '../protocols/saml/authn-request.ts';
import { buildLogoutRequest, buildLogoutResponse, readLogoutRequest, readLogoutResponse, type OutboundSigning } from '../protocols/saml/logout.ts';
import { statusCodes } from '../protocols/saml/response.ts';
import { signRedirectQuery } from '../protocols/saml/signature.ts';
import { deflateForRedirect, SamlError } from '../protocols/saml/xml.ts';
import type { ServiceDeps } from './deps.ts';
import type { AppKeyService } from './app-keys.ts';
import type { ProtocolState } from './protocol-state.ts';
import type { SamlAppContext, SamlParticipant, SamlSso, SsoStep } from './saml-sso.ts';
import type { SessionRecord } from './ports.ts';
import type { User } from '../domain/user.ts';
import type { SessionService } from '../signin/sessions.ts';
import { userActor, type Caller } from './caller.ts';

/** How long a logout round may take, and how long an outbound LogoutRequest is valid. */
const roundSeconds = 600;
const requestLifetimeSeconds = 300;

/** A logout round in progress. */
interface LogoutRound extends Record<string, unknown> {
  /** The service provider that asked, to be answered at the end; absent when Lanyard's page started it. */
  readonly origin: { readonly appId: string; readonly requestId: string; readonly binding: Binding; readonly relayState: string | undefined } | undefined;
  /** Participants still to be logged out, as app id, NameID, format and SessionIndex. */
  readonly queue: readonly SamlParticipant[];
  /** The LogoutRequest now out, which the next LogoutResponse must answer. */
  readonly outstanding: { readonly appId: string; readonly requestId: string } | undefined;
}

export type SloStep = SsoStep | { readonly kind: 'redirect'; readonly url: string } | { readonly kind: 'done' };

export function createSamlSlo(deps: ServiceDeps, sso: SamlSso, appKeys: AppKeyService, state: ProtocolState, sessions: SessionService) {
  const { clock } = deps;

  async function signingFor(org: Org, context: SamlAppContext): Promise<OutboundSigning> {
    const kid = (context.app.credentials.signing as { kid?: unknown } | undefined)?.kid;
    return {
      key: await appKeys.signingMaterial(org.id, context.app.id, typeof kid === 'string' ? kid : undefined),
      signatureAlgorithm: context.sp.signatureAlgorithm, digestAlgorithm: context.sp.digestAlgorithm,
    };
  }

  /** The session's participants, other than `exceptAppId`, that take part in single logout. */
  async function participantsOf(org: Org, active: { readonly user: User; readonly session: SessionRecord }, exceptAppId?: string): Promise<SamlParticipant[]> {
    const all = await state.listForAccount<SamlParticipant>(org.id, 'SamlParticipant', active.user.id);
    return all.map((e) => e.value).filter((p) => p.sessionId === active.session.id && p.appId !== exceptAppId);
  }

  /** Sends `message` to a service provider with a binding: a signed redirect, or a signed form post. */
  function send(kind: 'SAMLRequest' | 'SAMLResponse', binding: Binding, url: string, xmlFor: (embedSignature: boolean) => string,
    relayState: string | undefined, signing: OutboundSigning): SsoStep | { kind: 'redirect'; url: string } {
    if (binding === 'post') {
      return { kind: 'post', url, fields: { [kind]: Buffer.from(xmlFor(true)).toString('base64'), RelayState: relayState } };
    }
    const query = signRedirectQuery(kind, deflateForRedirect(xmlFor(false)), relayState, signing.key, signing.signatureAlgorithm);
    return { kind: 'redirect', url: `${url}${url.includes('?') ? '&' : '?'}${query}` };
  }

  /** Logs the next participant out, or finishes the round. */
  async function advance(org: Org, roundId: string, round: LogoutRound): Promise<SloStep> {
    const [next, ...rest] = round.queue;
    if (next) {
      let context: SamlAppContext;
      try {
        context = await sso.appContext(org, next.appId);
      } catch {
        return advance(org, roundId, { ...round, queue: rest });
      }
      // Okta's participateSlo stands on its own: an SP may be logged out without starting logouts itself (slo).
      const participate = context.sp.participateSlo;
      if (!participate) return advance(org, roundId, { ...round, queue: rest });
      const signing = await signingFor(org, context);
      // Signed in the XML for POST; for Redirect the signature goes in the query instead.
      const request = buildLogoutRequest({
        issuer: context.sp.idpIssuer, destination: participate.logoutRequestUrl, nameId: { value: next.nameId, format: next.nameIdFormat },
        sessionIndex: next.sessionIndex, now: clock.now(), lifetimeSeconds: requestLifetimeSeconds,
      }, participate.binding === 'post' ? signing : undefined);
      await state.put(org.id, 'SamlLogout', roundId, { ...round, queue: rest, outstanding: { appId: next.appId, requestId: request.id } }, roundSeconds);
      return send('SAMLRequest', participate.binding, participate.logoutRequestUrl, () => request.xml, roundId, signing);
    }
    await state.remove(org.id, 'SamlLogout', roundId);
    if (!round.origin) return { kind: 'done' };
    const context = await sso.appContext(org, round.origin.appId);
    const slo = context.sp.slo;
    if (!slo) return { kind: 'done' };
    const signing = await signingFor(org, context);
    const origin = round.origin;
    return send('SAMLResponse', origin.binding, slo.logoutUrl, (embed) => buildLogoutResponse({
      issuer: context.sp.idpIssuer, destination: slo.logoutUrl, inResponseTo: origin.requestId, now: clock.now(), status: statusCodes.success,
    }, embed ? signing : undefined), origin.relayState, signing);
  }

  /** A service provider's LogoutRequest: checked, the session ended, the round begun. */
  async function receiveRequest(caller: Caller, context: SamlAppContext, message: { binding: Binding; encoded: string; relayState: string | undefined; rawQuery: string },
    active: { readonly user: User; readonly session: SessionRecord } | undefined): Promise<SloStep> {
    const org = caller.org;
    const slo = context.sp.slo;
    if (!slo) throw new SamlError('unsupported', 'Single logout is not enabled for this app.');
    const request = readLogoutRequest(message.binding, message.encoded, message.rawQuery, {
      certificates: context.sp.spCertificates, required: true, allowSha1: context.sp.signatureAlgorithm === 'RSA_SHA1',
    });
    const expectedIssuer = slo.issuer ?? context.sp.spIssuer ?? context.sp.entityId;
    if (request.issuer !== undefined && request.issuer !== expectedIssuer) throw new SamlError('invalid', 'The logout request\'s Issuer is not this app\'s service provider.');
    if (request.notOnOrAfter && request.notOnOrAfter.getTime() <= clock.now().getTime()) throw new SamlError('invalid', 'The logout request has expired.');
    if (request.destination !== undefined && request.destination !== context.sloUrl) {
      throw new SamlError('invalid', 'The logout request\'s Destination is not this app\'s single logout URL.');
    }
    if (!(await state.claim(org.id, 'SamlReplay', `${context.app.id}:logout:${request.id}`, roundSeconds))) {
      throw new SamlError('invalid', 'This logout request was already answered.');
    }
    let queue: SamlParticipant[] = [];
    if (active) {
      const mine = (await participantsOf(org, active)).find((p) => p.appId === context.app.id);
      // The request must name this session's subject at this app; otherwise nothing is ended.
      const matches = mine && mine.nameId === request.nameId.value
        && (request.sessionIndexes.length === 0 || request.sessionIndexes.includes(mine.sessionIndex));
      if (matches) {
        queue = await participantsOf(org, active, context.app.id);
        await sessions.end({ ...caller, actor: userActor(active.user) }, active);
      }
    }
    const roundId = randomBytes(18).toString('base64url');
    return advance(org, roundId, {
      origin: { appId: context.app.id, requestId: request.id, binding: message.binding, relayState: message.relayState }, queue, outstanding: undefined,
    });
  }

  /** A participant's LogoutResponse: the round goes on (whatever its status: the session is already over). */
  async function receiveResponse(org: Org, context: SamlAppContext, message: { binding: Binding; encoded: string; relayState: string | undefined; rawQuery: string }): Promise<SloStep> {
    const roundId = message.relayState ?? '';
    const round = /^[A-Za-z0-9_-]{24}$/.test(roundId) ? await state.get<LogoutRound>(org.id, 'SamlLogout', roundId) : undefined;
    if (!round || round.outstanding?.appId !== context.app.id) throw new SamlError('invalid', 'This logout response does not belong to a logout in progress.');
    const response = readLogoutResponse(message.binding, message.encoded, message.rawQuery, {
      certificates: context.sp.spCertificates, required: context.sp.spCertificates.length > 0, allowSha1: context.sp.signatureAlgorithm === 'RSA_SHA1',
    });
    if (response.inResponseTo !== round.outstanding.requestId) throw new SamlError('invalid', 'The logout response answers another request.');
    const expectedIssuer = context.sp.slo?.issuer ?? context.sp.spIssuer;
    if (response.issuer !== undefined && response.issuer !== expectedIssuer && response.issuer !== context.sp.entityId) {
      throw new SamlError('invalid', 'The logout response\'s Issuer is not this app\'s service provider.');
    }
    if (response.destination !== undefined && response.destination !== context.sloUrl) {
      throw new SamlError('invalid', 'The logout response\'s Destination is not this app\'s single logout URL.');
    }
    return advance(org, roundId, { ...round, outstanding: undefined });
  }

  /** Sign-out on Lanyard's page: every participating service provider is logged out in turn. */
  async function startFromLanyard(org: Org, active: { readonly user: User; readonly session: SessionRecord }): Promise<SloStep> {
    const queue = await participantsOf(org, active);
    if (queue.length === 0) return { kind: 'done' };
    return advance(org, randomBytes(18).toString('base64url'), { origin: undefined, queue, outstanding: undefined });
  }

  /** The origins single logout from Lanyard's page will send the browser to, for its form's policy. */
  async function logoutOrigins(org: Org, active: { readonly user: User; readonly session: SessionRecord }): Promise<string[]> {
    const origins = new Set<string>();
    for (const participant of await participantsOf(org, active)) {
      const context = await sso.appContext(org, participant.appId).catch(() => undefined);
      const url = context?.sp.participateSlo?.logoutRequestUrl;
      if (url) origins.add(new URL(url).origin);
    }
    return [...origins];
  }

  return { receiveRequest, receiveResponse, startFromLanyard, logoutOrigins };
}

export type SamlSlo = ReturnType<typeof createSamlSlo>;
