/** One-time activation and recovery tokens of one org's users. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { UserTokenRepository } from '../../services/ports.ts';

export function createUserTokenRepository(db: Kysely<Database>, orgId: string): UserTokenRepository {
  const valid = (tokenHash: string, purpose: string, now: string) => db.selectFrom('user_tokens').select(['user_id', 'amr'])
    .where('org_id', '=', orgId).where('token_hash', '=', tokenHash).where('purpose', '=', purpose).where('expires_at', '>', now);
  async function take(tokenHash: string, purpose: string, now: string) {
    const row = await valid(tokenHash, purpose, now).executeTakeFirst();
    if (!row) return undefined;
    const result = await db.deleteFrom('user_tokens').where('org_id', '=', orgId).where('token_hash', '=', tokenHash).executeTakeFirst();
    // Two requests racing for one token: only the one that deleted it wins.
    return Number(result.numDeletedRows) === 1 ? row : undefined;
  }
  return {
    insert: async (token) => {
      await db.insertInto('user_tokens').values({
        org_id: orgId,
        token_hash: token.tokenHash,
        user_id: token.userId,
        purpose: token.purpose,
        created: token.created,
        expires_at: token.expiresAt,
        amr: token.amr ? JSON.stringify(token.amr) : null,
      }).execute();
    },
    expiryOf: async (tokenHash, purpose, now) => (await db.selectFrom('user_tokens').select('expires_at')
      .where('org_id', '=', orgId).where('token_hash', '=', tokenHash).where('purpose', '=', purpose).where('expires_at', '>', now)
      .executeTakeFirst())?.expires_at,
    peek: async (tokenHash, purpose, now) => (await valid(tokenHash, purpose, now).executeTakeFirst())?.user_id,
    consume: async (tokenHash, purpose, now) => (await take(tokenHash, purpose, now))?.user_id,
    consumeSession: async (tokenHash, now) => {
      const row = await take(tokenHash, 'session', now);
      return row ? { userId: row.user_id, amr: row.amr ? JSON.parse(row.amr) as string[] : ['pwd'] } : undefined;
    },
    deleteForUser: async (userId, purpose) => {
      let query = db.deleteFrom('user_tokens').where('org_id', '=', orgId).where('user_id', '=', userId);
      if (purpose) query = query.where('purpose', '=', purpose);
      await query.execute();
    },
  };
}
