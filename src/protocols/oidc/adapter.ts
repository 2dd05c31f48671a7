/**
 * The storage adapter of the OpenID Connect engine, over Lanyard's payload repository: one per
 * model (AuthorizationCode, RefreshToken, Grant, Session, …) of one authorization server of one
 * org. Clients are not stored here: they are Lanyard's apps, resolved on demand.
 *
 * Two additions to a plain key-value adapter:
 * - JWT access tokens are not persisted by the engine; Lanyard records each one (see
 *   `recordAccessToken`) so it can be introspected and revoked, and `find` accepts the JWT itself.
 * - A rotated refresh token stays usable for the client's grace period (`leeway`), as Okta's do:
 *   its `consumed` mark only shows once the grace period is over.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { OidcPayloadRecord, OidcPayloadRepository } from '../../services/ports.ts';

/** What the adapter needs besides storage. */
export interface AdapterContext {
  readonly asId: string;
  readonly payloads: OidcPayloadRepository;
  readonly now: () => Date;
  /** Client metadata for the engine, or undefined when no active OIDC app has that client id. */
  findClient(clientId: string): Promise<AdapterPayload | undefined>;
  /** The `jti` of a JWT access token this server signed and that has not expired, else undefined. */
  verifyAccessTokenJwt(token: string): Promise<string | undefined>;
  /** True while the current request is a userinfo request (tokens there carry no audience). */
  isUserinfoRequest(): boolean;
  /** Seconds a rotated refresh token of this client stays usable. */
  refreshLeewaySeconds(clientId: string): Promise<number>;
}

const jwtShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function createAdapterFactory(context: AdapterContext): (model: string) => Adapter {
  const { asId, payloads, now } = context;

  return (model: string): Adapter => {
    async function fromRecord(record: OidcPayloadRecord | undefined): Promise<AdapterPayload | undefined> {
      // Past the lifetime the engine gave it (`expiresIn`), a record is gone, as in a store with TTLs;
      // Lanyard's clock decides, not the engine's.
      if (!record || (record.expiresAt && Date.parse(record.expiresAt) <= now().getTime())) return undefined;
      const payload = { ...record.payload } as AdapterPayload;
      if (record.consumedAt) {
        const leeway = model === 'RefreshToken' && record.clientId ? await context.refreshLeewaySeconds(record.clientId) : 0;
        if (now().getTime() - Date.parse(record.consumedAt) >= leeway * 1000) payload.consumed = true;
      }
      return payload;
    }

    return {
      upsert: async (id, payload, expiresIn) => {
        const p = payload as AdapterPayload & { userCode?: string; uid?: string; session?: { accountId?: string } };
        await payloads.upsert(asId, model, id, {
          payload: payload as Record<string, unknown>,
          grantId: str(p.grantId),
          userCode: str(p.userCode),
          uid: str(p.uid),
          accountId: str(p.accountId) ?? str(p.session?.accountId),
          clientId: str(p.clientId),
          expiresAt: expiresIn ? new Date(now().getTime() + expiresIn * 1000).toISOString() : null,
          consumedAt: null,
        });
      },

      find: async (id) => {
        if (model === 'Client') return context.findClient(id);
        if (model === 'AccessToken' && jwtShape.test(id)) {
          const jti = await context.verifyAccessTokenJwt(id);
          if (!jti) return undefined;
          const payload = await fromRecord(await payloads.find(asId, model, jti));
          // Userinfo serves tokens without an audience; Lanyard's carry the server's, as Okta's do.
          if (payload && context.isUserinfoRequest()) delete payload.aud;
          return payload;
        }
        return fromRecord(await payloads.find(asId, model, id));
      },

      findByUserCode: async (userCode) => fromRecord(await payloads.findByUserCode(asId, model, userCode)),
      findByUid: async (uid) => fromRecord(await payloads.findByUid(asId, model, uid)),
      consume: async (id) => payloads.consume(asId, model, id, now().toISOString()),
      destroy: async (id) => payloads.destroy(asId, model, id),
      revokeByGrantId: async (grantId) => payloads.revokeByGrantId(asId, grantId),
    };
  };
}
