/**
 * What the OpenID Connect engine persists for one org, per authorization server and model:
 * authorization codes, refresh tokens, grants, sessions, interactions, device codes, …
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, OidcPayloadsTable } from '../schema.ts';
import type { OidcPayloadRecord, OidcPayloadRepository } from '../../services/ports.ts';

function toRecord(row: Selectable<OidcPayloadsTable>): OidcPayloadRecord {
  return {
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    grantId: row.grant_id,
    userCode: row.user_code,
    uid: row.uid,
    accountId: row.account_id,
    clientId: row.client_id,
    expiresAt: row.expires_at,
    consumedAt: row.consumed_at,
  };
}

export function createOidcPayloadRepository(db: Kysely<Database>, orgId: string): OidcPayloadRepository {
  const scoped = (asId: string, model: string) => db.selectFrom('oidc_payloads').selectAll()
    .where('org_id', '=', orgId).where('as_id', '=', asId).where('model', '=', model);
  return {
    upsert: async (asId, model, id, r) => {
      const values = {
        payload: JSON.stringify(r.payload), grant_id: r.grantId, user_code: r.userCode, uid: r.uid,
        account_id: r.accountId, client_id: r.clientId, expires_at: r.expiresAt, consumed_at: r.consumedAt,
      };
      await db.insertInto('oidc_payloads').values({ org_id: orgId, as_id: asId, model, id, ...values })
        .onConflict((oc) => oc.columns(['org_id', 'as_id', 'model', 'id']).doUpdateSet(values)).execute();
    },
    insertIfAbsent: async (asId, model, id, r) => {
      const result = await db.insertInto('oidc_payloads').values({
        org_id: orgId, as_id: asId, model, id, payload: JSON.stringify(r.payload), grant_id: r.grantId, user_code: r.userCode, uid: r.uid,
        account_id: r.accountId, client_id: r.clientId, expires_at: r.expiresAt, consumed_at: r.consumedAt,
      }).onConflict((oc) => oc.columns(['org_id', 'as_id', 'model', 'id']).doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    find: async (asId, model, id) => {
      const row = await scoped(asId, model).where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },
    findByUserCode: async (asId, model, userCode) => {
      const row = await scoped(asId, model).where('user_code', '=', userCode).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },
    findByUid: async (asId, model, uid) => {
      const row = await scoped(asId, model).where('uid', '=', uid).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },
    consume: async (asId, model, id, at) => {
      await db.updateTable('oidc_payloads').set({ consumed_at: at })
        .where('org_id', '=', orgId).where('as_id', '=', asId).where('model', '=', model).where('id', '=', id).execute();
    },
    destroy: async (asId, model, id) => {
      await db.deleteFrom('oidc_payloads').where('org_id', '=', orgId).where('as_id', '=', asId).where('model', '=', model)
        .where('id', '=', id).execute();
    },
    revokeByGrantId: async (asId, grantId) => {
      await db.deleteFrom('oidc_payloads').where('org_id', '=', orgId).where('as_id', '=', asId).where('grant_id', '=', grantId).execute();
    },
    listForAccount: async (accountId, model) => (await db.selectFrom('oidc_payloads').selectAll()
      .where('org_id', '=', orgId).where('account_id', '=', accountId).where('model', '=', model).orderBy('id').execute())
      .map((row) => ({ asId: row.as_id, id: row.id, record: toRecord(row) })),
    deleteForAccount: async (accountId, models) => {
      if (models.length === 0) return 0;
      const result = await db.deleteFrom('oidc_payloads').where('org_id', '=', orgId).where('account_id', '=', accountId)
        .where('model', 'in', [...models]).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    deleteForClient: async (clientId) => {
      const result = await db.deleteFrom('oidc_payloads').where('org_id', '=', orgId).where('client_id', '=', clientId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
