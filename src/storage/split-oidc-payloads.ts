/**
 * One payload repository over two places: the short-lived models in Redis, everything else in the
 * store. While Redis cannot be reached, short-lived records go to the store instead, and reads of
 * them look in both places, so an outage slows nothing down to a failure and loses nothing.
 */
import type { OidcPayloadRecord, OidcPayloadRepository } from '../services/ports.ts';
import { ephemeralOidcModels, type EphemeralPayloadRepository } from './redis-oidc-payloads.ts';

/** Told when Redis fails and when it answers again. */
export interface EphemeralHealth {
  failed(error: unknown): void;
  recovered(): void;
}

export function splitOidcPayloads(durable: OidcPayloadRepository, ephemeral: EphemeralPayloadRepository, health: EphemeralHealth): OidcPayloadRepository {
  const isEphemeral = (model: string) => ephemeralOidcModels.has(model);

  /** Runs a Redis operation; undefined when Redis failed (already reported). */
  async function attempt<T>(operation: () => Promise<T>): Promise<{ value: T } | undefined> {
    try {
      const value = await operation();
      health.recovered();
      return { value };
    } catch (error) {
      health.failed(error);
      return undefined;
    }
  }

  /** A short-lived record from Redis, else from the store (where it was written during an outage). */
  async function readEither(model: string, fromRedis: () => Promise<OidcPayloadRecord | undefined>,
    fromStore: () => Promise<OidcPayloadRecord | undefined>): Promise<OidcPayloadRecord | undefined> {
    if (!isEphemeral(model)) return fromStore();
    return (await attempt(fromRedis))?.value ?? fromStore();
  }

  return {
    upsert: async (asId, model, id, record) => {
      if (isEphemeral(model) && await attempt(() => ephemeral.upsert(asId, model, id, record))) return;
      await durable.upsert(asId, model, id, record);
    },
    insertIfAbsent: async (asId, model, id, record) => {
      if (isEphemeral(model)) {
        const claimed = await attempt(() => ephemeral.insertIfAbsent(asId, model, id, record));
        // While Redis is away the store decides, so a claim is still made once.
        if (claimed) return claimed.value && !(await durable.find(asId, model, id));
      }
      return durable.insertIfAbsent(asId, model, id, record);
    },
    find: (asId, model, id) => readEither(model, () => ephemeral.find(asId, model, id), () => durable.find(asId, model, id)),
    findByUid: (asId, model, uid) => readEither(model, () => ephemeral.findByUid(asId, model, uid), () => durable.findByUid(asId, model, uid)),
    findByUserCode: (asId, model, code) =>
      readEither(model, () => ephemeral.findByUserCode(asId, model, code), () => durable.findByUserCode(asId, model, code)),
    consume: async (asId, model, id, at) => {
      if (isEphemeral(model) && (await attempt(() => ephemeral.consume(asId, model, id, at)))?.value) return;
      await durable.consume(asId, model, id, at);
    },
    destroy: async (asId, model, id) => {
      if (isEphemeral(model) && (await attempt(() => ephemeral.destroy(asId, model, id)))?.value) return;
      await durable.destroy(asId, model, id);
    },
    revokeByGrantId: async (asId, grantId) => {
      await attempt(() => ephemeral.revokeByGrantId(asId, grantId));
      await durable.revokeByGrantId(asId, grantId);
    },
    listForAccount: async (accountId, model) => {
      const stored = await durable.listForAccount(accountId, model);
      if (!isEphemeral(model)) return stored;
      return [...(await attempt(() => ephemeral.listForAccount(accountId, model)))?.value ?? [], ...stored];
    },
    deleteForAccount: async (accountId, models) => {
      const inRedis = models.filter(isEphemeral);
      const fromRedis = inRedis.length > 0 ? (await attempt(() => ephemeral.deleteForAccount(accountId, inRedis)))?.value ?? 0 : 0;
      return fromRedis + await durable.deleteForAccount(accountId, models);
    },
    deleteForClient: async (clientId) => {
      const fromRedis = (await attempt(() => ephemeral.deleteForClient(clientId)))?.value ?? 0;
      return fromRedis + await durable.deleteForClient(clientId);
    },
  };
}
