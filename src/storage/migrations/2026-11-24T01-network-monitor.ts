/**
 * Continual testing of published verified integrations: each version keeps the last result of
 * its re-run checks (`monitor`), and the moment a node claimed the next run (`monitor_claimed`),
 * so that several nodes never run the same checks at once.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('integration_versions').addColumn('monitor', 'text').execute();
  await db.schema.alterTable('integration_versions').addColumn('monitor_claimed', 'text').execute();
}
