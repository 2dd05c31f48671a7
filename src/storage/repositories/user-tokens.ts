/** One-time activation and recovery tokens of one org's users. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { UserTokenRepository } from '../../services/ports.ts';

export function createUserTokenRepository(db: Kysely<Database>, orgId: string): UserTokenRepository {
  const valid = (tokenHash: string, purpose: string, now: string) => db.selectFrom('user_tokens').select('user_id')
    .where('org_id', '=', orgId).where('token_hash', '=', tokenHash).where('purpose', '=', purpose).where('expires_at', '>', now);
  return {
    insert: async (token) => {
      await db.insertInto('user_tokens').values({
        org_id: orgId,
        token_hash: token.tokenHash,
        user_id: token.userId,
        purpose: token.purpose,
        created: token.created,
        expires_at: token.expiresAt,
      }).execute();
    },
    peek: async (tokenHash, purpose, now) => (await valid(tokenHash, purpose, now).executeTakeFirst())?.user_id,
    consume: async (tokenHash, purpose, now) => {
      const row = await valid(tokenHash, purpose, now).executeTakeFirst();
      if (!row) return undefined;
      const result = await db.deleteFrom('user_tokens').where('org_id', '=', orgId).where('token_hash', '=', tokenHash).executeTakeFirst();
      // Two requests racing for one token: only the one that deleted it wins.
      return Number(result.numDeletedRows) === 1 ? row.user_id : undefined;
    },
    deleteForUser: async (userId, purpose) => {
      let query = db.deleteFrom('user_tokens').where('org_id', '=', orgId).where('user_id', '=', userId);
      if (purpose) query = query.where('purpose', '=', purpose);
      await query.execute();
    },
  };
}
