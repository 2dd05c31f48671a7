/**
 * LDAP and Active Directory integrations: each directory's settings (bind password sealed), the
 * link of each user and group to its entry, import runs, agents with their enrolment tokens, and
 * the jobs agents claim. Users gain the directory they come from and its name as their provider.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('provider_name', 'text').execute();
  await db.schema.alterTable('users').addColumn('directory_id', 'text').execute();

  await db.schema.createTable('directories')
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('bind_password', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('directories_pk', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('directories_name').unique().on('directories').columns(['org_id', 'name_key']).execute();

  await db.schema.createTable('directory_links')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('directory_id', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('dn', 'text', (c) => c.notNull())
    .addColumn('dn_key', 'text', (c) => c.notNull())
    .addColumn('mark', 'text')
    .addColumn('seen_import', 'text')
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('directory_links_pk', ['org_id', 'subject_type', 'subject_id'])
    .addForeignKeyConstraint('directory_links_directory', ['org_id', 'directory_id'], 'directories', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('directory_links_external').unique().on('directory_links').columns(['org_id', 'directory_id', 'subject_type', 'external_id']).execute();
  await db.schema.createIndex('directory_links_dn').on('directory_links').columns(['org_id', 'directory_id', 'subject_type', 'dn_key']).execute();

  await db.schema.createTable('directory_imports')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('directory_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('since', 'text')
    .addColumn('mark', 'text')
    .addColumn('progress', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('directory_imports_pk', ['org_id', 'id'])
    .addForeignKeyConstraint('directory_imports_directory', ['org_id', 'directory_id'], 'directories', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('directory_imports_directory').on('directory_imports').columns(['org_id', 'directory_id', 'created']).execute();

  await db.schema.createTable('directory_agents')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('directory_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_seen', 'text')
    .addPrimaryKeyConstraint('directory_agents_pk', ['org_id', 'id'])
    .addForeignKeyConstraint('directory_agents_directory', ['org_id', 'directory_id'], 'directories', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();

  await db.schema.createTable('directory_agent_tokens')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('directory_id', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('directory_agent_tokens_pk', ['org_id', 'token_hash'])
    .addForeignKeyConstraint('directory_agent_tokens_directory', ['org_id', 'directory_id'], 'directories', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();

  await db.schema.createTable('directory_jobs')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('directory_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('result', 'text')
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('directory_jobs_pk', ['org_id', 'id'])
    .addForeignKeyConstraint('directory_jobs_directory', ['org_id', 'directory_id'], 'directories', ['org_id', 'id'], (f) => f.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('directory_jobs_open').on('directory_jobs').columns(['org_id', 'directory_id', 'status', 'created']).execute();
}
