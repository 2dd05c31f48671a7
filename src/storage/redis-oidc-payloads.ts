/**
 * The short-lived artifacts of the OpenID Connect engine (browser sessions of the engine,
 * interactions, authorization codes, pushed requests, replay marks) in Redis, shared by every
 * node and expired by Redis itself. Each record is a hash (`record` JSON, `consumedAt`) under
 * `oidc:{org}:{as}:{model}:{id}`, with a time to live taken from its expiry on Lanyard's clock;
 * small index sets (by grant, account, client) and lookups (by uid, user code) expire with it.
 * An index may name a record that has since expired: readers skip those.
 */
import { Redis } from 'ioredis';
import type { OidcPayloadRecord } from '../services/ports.ts';

/** Models kept in Redis when it is configured; the rest (grants, tokens, device and CIBA requests) stay in the store. */
export const ephemeralOidcModels: ReadonlySet<string> = new Set([
  'Session', 'Interaction', 'AuthorizationCode', 'PushedAuthorizationRequest', 'ReplayDetection',
  // The SAML and WS-Federation counterparts: requests waiting for a sign-in, answered request IDs, logout rounds.
  'SamlRequest', 'SamlReplay', 'SamlLogout',
  // WebAuthn challenges issued, and the marks of those already answered.
  'WebAuthnChallenge', 'WebAuthnChallengeUsed',
  // Launches of SWA apps waiting for the browser extension, and the marks of those answered.
  'SwaFillTicket', 'SwaFillTicketUsed',
]);

/** Without an expiry a record lives a day (the engine gives every ephemeral model one). */
const defaultTtlMs = 86_400_000;

export interface EphemeralPayloadRepository {
  upsert(asId: string, model: string, id: string, record: OidcPayloadRecord): Promise<void>;
  insertIfAbsent(asId: string, model: string, id: string, record: OidcPayloadRecord): Promise<boolean>;
  find(asId: string, model: string, id: string): Promise<OidcPayloadRecord | undefined>;
  findByUserCode(asId: string, model: string, userCode: string): Promise<OidcPayloadRecord | undefined>;
  findByUid(asId: string, model: string, uid: string): Promise<OidcPayloadRecord | undefined>;
  /** True when the record was there to mark. */
  consume(asId: string, model: string, id: string, at: string): Promise<boolean>;
  destroy(asId: string, model: string, id: string): Promise<boolean>;
  revokeByGrantId(asId: string, grantId: string): Promise<number>;
  listForAccount(accountId: string, model: string): Promise<{ asId: string; id: string; record: OidcPayloadRecord }[]>;
  deleteForAccount(accountId: string, models: readonly string[]): Promise<number>;
  deleteForClient(clientId: string): Promise<number>;
}

export interface EphemeralPayloads {
  forOrg(orgId: string): EphemeralPayloadRepository;
  close(): Promise<void>;
}

// Creates a record only if its key is free (records written this way carry no indexes).
const insertIfAbsentScript = "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end redis.call('HSET', KEYS[1], 'record', ARGV[1]) redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1";

// Marks a record consumed only if it still exists (HSET alone would recreate it without a TTL).
const consumeScript = "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'consumedAt', ARGV[1]) return 1 end return 0";

export function createRedisOidcPayloads(url: string, now: () => Date): EphemeralPayloads {
  // As for the rate-limit counters: no offline queue, so an unreachable Redis fails a command at
  // once (the caller falls back to the store) while ioredis reconnects in the background.
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000, lazyConnect: true });
  redis.on('error', () => {});
  let connected: Promise<void> | undefined;
  const ready = () => (connected ??= redis.connect().catch(() => {
    connected = undefined;
  }));

  function forOrg(orgId: string): EphemeralPayloadRepository {
    const base = `oidc:${orgId}`;
    const recordKey = (asId: string, model: string, id: string) => `${base}:${asId}:${model}:${id}`;
    const uidKey = (asId: string, model: string, uid: string) => `${base}:${asId}:${model}:uid:${uid}`;
    const userCodeKey = (asId: string, model: string, code: string) => `${base}:${asId}:${model}:user-code:${code}`;
    const grantKey = (asId: string, grantId: string) => `${base}:${asId}:grant:${grantId}`;
    const accountKey = (accountId: string, model: string) => `${base}:account:${accountId}:${model}`;
    const clientKey = (clientId: string) => `${base}:client:${clientId}`;

    async function read(key: string): Promise<OidcPayloadRecord | undefined> {
      await ready();
      const hash = await redis.hgetall(key);
      if (!hash.record) return undefined;
      const record = JSON.parse(hash.record) as OidcPayloadRecord;
      return { ...record, consumedAt: hash.consumedAt ?? null };
    }

    async function viaLookup(lookup: string, asId: string, model: string): Promise<OidcPayloadRecord | undefined> {
      await ready();
      const id = await redis.get(lookup);
      return id ? read(recordKey(asId, model, id)) : undefined;
    }

    /** Deletes the record keys named by an index set, and the set; returns how many records were there. */
    async function deleteMembers(setKey: string, keyOf: (member: string) => string | undefined): Promise<number> {
      await ready();
      const members = await redis.smembers(setKey);
      const keys = members.map(keyOf).filter((k): k is string => k !== undefined);
      const deleted = keys.length > 0 ? await redis.del(...keys) : 0;
      await redis.del(setKey);
      return deleted;
    }

    return {
      upsert: async (asId, model, id, record) => {
        await ready();
        const key = recordKey(asId, model, id);
        const ttl = record.expiresAt ? Math.max(1, Date.parse(record.expiresAt) - now().getTime()) : defaultTtlMs;
        const multi = redis.multi().del(key).hset(key, 'record', JSON.stringify({ ...record, consumedAt: null }));
        if (record.consumedAt) multi.hset(key, 'consumedAt', record.consumedAt);
        multi.pexpire(key, ttl);
        // An index lives as long as its longest-lived member.
        const index = (setKey: string, member: string) => multi.sadd(setKey, member).pexpire(setKey, ttl, 'NX').pexpire(setKey, ttl, 'GT');
        if (record.uid) multi.set(uidKey(asId, model, record.uid), id, 'PX', ttl);
        if (record.userCode) multi.set(userCodeKey(asId, model, record.userCode), id, 'PX', ttl);
        if (record.grantId) index(grantKey(asId, record.grantId), `${model}|${id}`);
        if (record.accountId) index(accountKey(record.accountId, model), `${asId}|${id}`);
        if (record.clientId) index(clientKey(record.clientId), `${asId}|${model}|${id}`);
        const results = await multi.exec();
        const failed = results?.find(([error]) => error);
        if (!results || failed) throw failed?.[0] ?? new Error('no reply from Redis');
      },
      insertIfAbsent: async (asId, model, id, record) => {
        await ready();
        const key = recordKey(asId, model, id);
        const ttl = record.expiresAt ? Math.max(1, Date.parse(record.expiresAt) - now().getTime()) : defaultTtlMs;
        // A hash cannot be created conditionally in one command; a script makes the claim atomic.
        const written = await redis.eval(insertIfAbsentScript, 1, key, JSON.stringify({ ...record, consumedAt: null }), String(ttl));
        return written === 1;
      },
      find: (asId, model, id) => read(recordKey(asId, model, id)),
      findByUid: (asId, model, uid) => viaLookup(uidKey(asId, model, uid), asId, model),
      findByUserCode: (asId, model, code) => viaLookup(userCodeKey(asId, model, code), asId, model),
      consume: async (asId, model, id, at) => {
        await ready();
        return (await redis.eval(consumeScript, 1, recordKey(asId, model, id), at)) === 1;
      },
      destroy: async (asId, model, id) => {
        await ready();
        return (await redis.del(recordKey(asId, model, id))) > 0;
      },
      revokeByGrantId: (asId, grantId) => deleteMembers(grantKey(asId, grantId), (member) => {
        const [model, id] = member.split('|');
        return model && id ? recordKey(asId, model, id) : undefined;
      }),
      listForAccount: async (accountId, model) => {
        await ready();
        const out: { asId: string; id: string; record: OidcPayloadRecord }[] = [];
        for (const member of await redis.smembers(accountKey(accountId, model))) {
          const [asId, id] = member.split('|');
          if (!asId || !id) continue;
          const record = await read(recordKey(asId, model, id));
          if (record) out.push({ asId, id, record });
        }
        return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      },
      deleteForAccount: async (accountId, models) => {
        let deleted = 0;
        for (const model of models) {
          deleted += await deleteMembers(accountKey(accountId, model), (member) => {
            const [asId, id] = member.split('|');
            return asId && id ? recordKey(asId, model, id) : undefined;
          });
        }
        return deleted;
      },
      deleteForClient: (clientId) => deleteMembers(clientKey(clientId), (member) => {
        const [asId, model, id] = member.split('|');
        return asId && model && id ? recordKey(asId, model, id) : undefined;
      }),
    };
  }

  return {
    forOrg,
    close: async () => {
      redis.disconnect();
    },
  };
}
