/**
 * Provisioning at scale: the queue read in the order tasks were made without sorting it each
 * time, and a user's or group's links found without reading every link of the org.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('provisioning_tasks_order').on('provisioning_tasks').columns(['status', 'created', 'id']).execute();
  await db.schema.createIndex('provisioning_links_subject').on('provisioning_links').columns(['org_id', 'subject_type', 'subject_id']).execute();
}
