/** The provisioning queue read in the order tasks were made, without sorting the whole queue each time. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('provisioning_tasks_order').on('provisioning_tasks').columns(['status', 'created', 'id']).execute();
}
