/** Builds Okta-style LogEvents from a caller and what happened. */
import { isIP } from 'node:net';
import { uuidV7 } from '../kernel/ids.ts';
import type { Clock } from '../kernel/clock.ts';
import { eventTypes, type EventType, type LogEvent, type LogTarget, type OutcomeResult, type Severity } from '../domain/log-event.ts';
import type { Caller } from './caller.ts';

export interface EventDetails {
  readonly targets?: readonly LogTarget[];
  readonly outcome?: OutcomeResult;
  readonly reason?: string;
  readonly severity?: Severity;
  readonly displayMessage?: string;
  /** Extra facts; never secrets. */
  readonly debugData?: Readonly<Record<string, string>>;
  readonly actor?: LogEvent['actor'];
}

export function buildEvent(clock: Clock, caller: Caller, eventType: EventType, details: EventDetails = {}): LogEvent {
  const now = clock.now();
  const ip = caller.client.ipAddress;
  const debugData: Record<string, string> = { ...details.debugData };
  if (caller.requestUri) debugData.requestUri = caller.requestUri;
  if (caller.tokenId) debugData.apiTokenId = caller.tokenId;
  const outcome = details.outcome ?? 'SUCCESS';
  return {
    uuid: uuidV7(now.getTime()),
    published: now.toISOString(),
    eventType,
    version: '0',
    severity: details.severity ?? (outcome === 'FAILURE' || outcome === 'DENY' ? 'WARN' : 'INFO'),
    legacyEventType: null,
    displayMessage: details.displayMessage ?? eventTypes[eventType],
    actor: details.actor ?? caller.actor,
    client: {
      userAgent: caller.client.userAgent === null ? null : { rawUserAgent: caller.client.userAgent, os: null, browser: null },
      zone: null,
      device: null,
      id: null,
      ipAddress: ip,
      geographicalContext: null,
    },
    outcome: { result: outcome, reason: details.reason ?? null },
    target: details.targets ?? [],
    transaction: { type: 'WEB', id: caller.requestId, detail: {} },
    debugContext: { debugData },
    authenticationContext: {
      authenticationProvider: null,
      credentialProvider: null,
      credentialType: null,
      issuer: null,
      interface: null,
      authenticationStep: 0,
      externalSessionId: null,
    },
    securityContext: { asNumber: null, asOrg: null, isp: null, domain: null, isProxy: null },
    request: { ipChain: ip ? [{ ip, version: isIP(ip) === 6 ? 'V6' : 'V4' }] : [] },
  };
}

export function userTarget(user: { id: string; profile: { login: string; firstName?: string; lastName?: string } }): LogTarget {
  const name = [user.profile.firstName, user.profile.lastName].filter(Boolean).join(' ');
  return { id: user.id, type: 'User', alternateId: user.profile.login, displayName: name || user.profile.login };
}

export function groupTarget(group: { id: string; name: string }): LogTarget {
  return { id: group.id, type: 'UserGroup', alternateId: 'unknown', displayName: group.name };
}
