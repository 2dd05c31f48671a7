/**
 * MFA in sign-in: a session remembers when its user last proved a second factor (for
 * re-authentication rules), and a one-time token carries the methods its sign-in used (`amr`), so
 * a session opened from it says whether MFA was done.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('mfa_at', 'text').execute();
  await db.schema.alterTable('user_tokens').addColumn('amr', 'text').execute();
}
