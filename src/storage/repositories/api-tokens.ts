/** API tokens of one org: only their SHA-256 hash is stored. */
import type { Kysely, Selectable } from 'kysely';
import type { ApiTokensTable, Database } from '../schema.ts';
import type { ApiTokenRecord, ApiTokenRepository } from '../../services/ports.ts';
import { mapErrors } from '../errors.ts';

function toToken(row: Selectable<ApiTokensTable>): ApiTokenRecord {
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    tokenHash: row.token_hash,
    userId: row.user_id,
    clientName: row.client_name,
    created: row.created,
    lastUpdated: row.last_updated,
    expiresAt: row.expires_at,
  };
}

export function createApiTokenRepository(db: Kysely<Database>, orgId: string): ApiTokenRepository {
  const scoped = () => db.selectFrom('api_tokens').selectAll().where('org_id', '=', orgId);
  return {
    insert: (token) => mapErrors(async () => {
      await db.insertInto('api_tokens').values({
        org_id: orgId,
        id: token.id,
        name: token.name,
        token_hash: token.tokenHash,
        user_id: token.userId,
        client_name: token.clientName,
        created: token.created,
        last_updated: token.lastUpdated,
        expires_at: token.expiresAt,
      }).execute();
    }),
    findByHash: async (tokenHash) => {
      const row = await scoped().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row ? toToken(row) : undefined;
    },
    findById: async (id) => {
      const row = await scoped().where('id', '=', id).executeTakeFirst();
      return row ? toToken(row) : undefined;
    },
    list: async () => (await scoped().orderBy('created').orderBy('id').execute()).map(toToken),
    touch: async (id, lastUpdated, expiresAt) => {
      await db.updateTable('api_tokens').set({ last_updated: lastUpdated, expires_at: expiresAt })
        .where('org_id', '=', orgId).where('id', '=', id).execute();
    },
    delete: async (id) => {
      const result = await db.deleteFrom('api_tokens').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
