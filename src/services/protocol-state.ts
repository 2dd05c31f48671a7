/**
 * Short-lived state of the SAML and WS-Federation flows and of WebAuthn ceremonies, kept where the
 * OpenID Connect engine keeps its own (the store, or Redis for the short-lived kinds when it is
 * configured): requests waiting for a sign-in, request IDs already answered, the service providers
 * a session signed in to, single-logout rounds in progress, and WebAuthn challenges issued and
 * used. Every entry belongs to one org and expires by itself.
 */
import type { ServiceDeps } from './deps.ts';

/**
 * The kinds of entries; all but `SamlParticipant` go to Redis when it is set.
 * `InteractionSignIn`: the session an OpenID Connect interaction's own sign-in (or factor) step
 * produced, so the interaction knows that sign-in is the fresh one it asked for.
 * `SwaFillTicket`: an SWA app launched for the browser extension to sign in to (`swa-fill.ts`).
 */
export type ProtocolStateKind = 'SamlRequest' | 'SamlReplay' | 'SamlLogout' | 'SamlParticipant' | 'InteractionSignIn'
  | 'WebAuthnChallenge' | 'WebAuthnChallengeUsed' | 'SwaFillTicket' | 'SwaFillTicketUsed';

/** The partition of the payload store these entries live in (beside the authorization servers'). */
const partition = 'federation';

export function createProtocolState(deps: ServiceDeps) {
  const { store, clock } = deps;
  const payloads = (orgId: string) => store.forOrg(orgId).oidcPayloads;
  const expiry = (ttlSeconds: number) => new Date(clock.now().getTime() + ttlSeconds * 1000).toISOString();
  const record = (value: Record<string, unknown>, ttlSeconds: number, accountId?: string) => ({
    payload: value, grantId: null, userCode: null, uid: null, accountId: accountId ?? null, clientId: null,
    expiresAt: expiry(ttlSeconds), consumedAt: null,
  });
  const live = (expiresAt: string | null) => !expiresAt || Date.parse(expiresAt) > clock.now().getTime();

  async function get<T extends Record<string, unknown>>(orgId: string, kind: ProtocolStateKind, id: string): Promise<T | undefined> {
    const found = await payloads(orgId).find(partition, kind, id);
    return found && live(found.expiresAt) ? found.payload as T : undefined;
  }

  return {
    /** Stores `value`; `accountId` lets it be listed per user. */
    put: (orgId: string, kind: ProtocolStateKind, id: string, value: Record<string, unknown>, ttlSeconds: number, accountId?: string) =>
      payloads(orgId).upsert(partition, kind, id, record(value, ttlSeconds, accountId)),
    get,
    /** Reads and removes an entry, so it serves once. */
    take: async <T extends Record<string, unknown>>(orgId: string, kind: ProtocolStateKind, id: string): Promise<T | undefined> => {
      const value = await get<T>(orgId, kind, id);
      if (value) await payloads(orgId).destroy(partition, kind, id);
      return value;
    },
    /** True for the first caller only, for `ttlSeconds` (replay detection). */
    claim: (orgId: string, kind: ProtocolStateKind, id: string, ttlSeconds: number): Promise<boolean> =>
      payloads(orgId).insertIfAbsent(partition, kind, id, record({}, ttlSeconds)),
    remove: (orgId: string, kind: ProtocolStateKind, id: string) => payloads(orgId).destroy(partition, kind, id),
    /** A user's live entries of a kind (only those stored with their account). */
    listForAccount: async <T extends Record<string, unknown>>(orgId: string, kind: ProtocolStateKind, accountId: string) =>
      (await payloads(orgId).listForAccount(accountId, kind))
        .filter((e) => e.asId === partition && live(e.record.expiresAt))
        .map((e) => ({ id: e.id, value: e.record.payload as T })),
  };
}

export type ProtocolState = ReturnType<typeof createProtocolState>;
