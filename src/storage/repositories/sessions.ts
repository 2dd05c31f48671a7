/** Sign-in sessions of one org: looked up by the hash of the cookie value. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, SessionsTable } from '../schema.ts';
import type { SessionRecord, SessionRepository } from '../../services/ports.ts';
import { mapErrors } from '../errors.ts';

function toSession(row: Selectable<SessionsTable>): SessionRecord {
  return {
    id: row.id,
    orgId: row.org_id,
    tokenHash: row.token_hash,
    userId: row.user_id,
    csrfToken: row.csrf_token,
    amr: JSON.parse(row.amr) as string[],
    mfaAt: row.mfa_at,
    created: row.created,
    lastSeen: row.last_seen,
    idleExpiresAt: row.idle_expires_at,
    expiresAt: row.expires_at,
    ipAddress: row.ip_address,
    userAgent: row.user_agent,
  };
}

export function createSessionRepository(db: Kysely<Database>, orgId: string): SessionRepository {
  const scoped = () => db.selectFrom('sessions').selectAll().where('org_id', '=', orgId);
  return {
    insert: (session) => mapErrors(async () => {
      await db.insertInto('sessions').values({
        org_id: orgId,
        id: session.id,
        token_hash: session.tokenHash,
        user_id: session.userId,
        csrf_token: session.csrfToken,
        amr: JSON.stringify(session.amr),
        mfa_at: session.mfaAt,
        created: session.created,
        last_seen: session.lastSeen,
        idle_expires_at: session.idleExpiresAt,
        expires_at: session.expiresAt,
        ip_address: session.ipAddress ?? null,
        user_agent: session.userAgent ?? null,
      }).execute();
    }),
    findByHash: async (tokenHash) => {
      const row = await scoped().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row ? toSession(row) : undefined;
    },
    findById: async (id) => {
      const row = await scoped().where('id', '=', id).executeTakeFirst();
      return row ? toSession(row) : undefined;
    },
    touch: async (id, lastSeen, idleExpiresAt) => {
      await db.updateTable('sessions').set({ last_seen: lastSeen, idle_expires_at: idleExpiresAt })
        .where('org_id', '=', orgId).where('id', '=', id).execute();
    },
    recordMfa: async (id, amr, at) => {
      await db.updateTable('sessions').set({ amr: JSON.stringify(amr), mfa_at: at })
        .where('org_id', '=', orgId).where('id', '=', id).execute();
    },
    delete: async (id) => {
      await db.deleteFrom('sessions').where('org_id', '=', orgId).where('id', '=', id).execute();
    },
    deleteForUser: async (userId) => {
      const result = await db.deleteFrom('sessions').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    listForUser: async (userId) =>
      (await scoped().where('user_id', '=', userId).orderBy('created').execute()).map(toSession),
  };
}
