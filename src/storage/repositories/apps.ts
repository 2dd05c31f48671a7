/** Apps of one org, their user and group assignments, and OAuth client secrets. */
import { sql, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { AppsTable, Database } from '../schema.ts';
import type { DialectName } from '../dialect.ts';
import type { AppRepository, AppUserAssignment, AppGroupAssignment, ClientSecretRecord } from '../../services/ports.ts';
import type { App } from '../../domain/app.ts';
import { keyOf } from '../../domain/user-profile.ts';
import { compileFilter, type FieldResolver } from '../filter-sql.ts';
import { mapErrors } from '../errors.ts';

export const appFields: FieldResolver = (path) => {
  switch (path) {
    case 'id': return { kind: 'text', column: 'apps.id' };
    case 'name': return { kind: 'text', column: 'apps.name' };
    case 'status': return { kind: 'text', column: 'apps.status' };
    case 'signOnMode': return { kind: 'text', column: 'apps.sign_on_mode' };
    case 'label': return { kind: 'key', column: 'apps.label_key' };
    case 'created': return { kind: 'timestamp', column: 'apps.created' };
    case 'lastUpdated': return { kind: 'timestamp', column: 'apps.last_updated' };
    // Okta's `user.id eq "…"`: the apps assigned to a user, directly or through one of their groups.
    case 'user.id': return {
      kind: 'equals',
      condition: (userId) => sql<SqlBool>`(exists (select 1 from app_user_assignments as u where u.org_id = apps.org_id and u.app_id = apps.id and u.user_id = ${userId})
        or exists (select 1 from app_group_assignments as g join group_members as m on m.org_id = g.org_id and m.group_id = g.group_id
          where g.org_id = apps.org_id and g.app_id = apps.id and m.user_id = ${userId}))`,
    };
    // Okta's `group.id eq "…"`: the apps assigned to a group.
    case 'group.id': return { kind: 'exists', table: 'app_group_assignments', column: 'group_id', join: [['apps.org_id', 'org_id'], ['apps.id', 'app_id']] };
  }
  return undefined;
};

/** The OAuth client id an app's credentials carry, for the unique index. */
function clientIdOf(credentials: Record<string, unknown>): string | null {
  const id = (credentials.oauthClient as { client_id?: unknown } | undefined)?.client_id;
  return typeof id === 'string' ? id : null;
}

const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

function toApp(row: Selectable<AppsTable>): App {
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    label: row.label,
    status: row.status as App['status'],
    signOnMode: row.sign_on_mode as App['signOnMode'],
    settings: json(row.settings),
    credentials: json(row.credentials),
    visibility: json(row.visibility),
    accessibility: json(row.accessibility),
    created: row.created,
    lastUpdated: row.last_updated,
  };
}

export function createAppRepository(db: Kysely<Database>, orgId: string, dialect: DialectName): AppRepository {
  const scoped = () => db.selectFrom('apps').selectAll().where('org_id', '=', orgId);
  const toUserAssignment = (r: { app_id: string; user_id: string; profile: string; created: string; last_updated: string }): AppUserAssignment =>
    ({ appId: r.app_id, userId: r.user_id, profile: json(r.profile), created: r.created, lastUpdated: r.last_updated });
  const toGroupAssignment = (r: { app_id: string; group_id: string; priority: number; profile: string; created: string; last_updated: string }): AppGroupAssignment =>
    ({ appId: r.app_id, groupId: r.group_id, priority: Number(r.priority), profile: json(r.profile), created: r.created, lastUpdated: r.last_updated });
  const toSecret = (r: { id: string; app_id: string; ciphertext: string; secret_hash: string; status: string; created: string; last_updated: string }): ClientSecretRecord =>
    ({ id: r.id, appId: r.app_id, ciphertext: r.ciphertext, secretHash: r.secret_hash, status: r.status as ClientSecretRecord['status'], created: r.created, lastUpdated: r.last_updated });

  return {
    insert: (app) => mapErrors(async () => {
      await db.insertInto('apps').values({
        org_id: orgId, id: app.id, name: app.name, label: app.label, label_key: keyOf(app.label), status: app.status,
        sign_on_mode: app.signOnMode, client_id: clientIdOf(app.credentials), settings: JSON.stringify(app.settings), credentials: JSON.stringify(app.credentials),
        visibility: JSON.stringify(app.visibility), accessibility: JSON.stringify(app.accessibility),
        created: app.created, last_updated: app.lastUpdated,
      }).execute();
    }),

    update: async (id, changes) => {
      await db.updateTable('apps').set({
        ...(changes.label !== undefined ? { label: changes.label, label_key: keyOf(changes.label) } : {}),
        ...(changes.status !== undefined ? { status: changes.status } : {}),
        ...(changes.settings !== undefined ? { settings: JSON.stringify(changes.settings) } : {}),
        ...(changes.credentials !== undefined ? { credentials: JSON.stringify(changes.credentials), client_id: clientIdOf(changes.credentials) } : {}),
        ...(changes.visibility !== undefined ? { visibility: JSON.stringify(changes.visibility) } : {}),
        ...(changes.accessibility !== undefined ? { accessibility: JSON.stringify(changes.accessibility) } : {}),
        last_updated: changes.lastUpdated,
      }).where('org_id', '=', orgId).where('id', '=', id).execute();
    },

    findById: async (id) => {
      const row = await scoped().where('id', '=', id).executeTakeFirst();
      return row ? toApp(row) : undefined;
    },

    findByClientId: async (clientId) => {
      const row = await scoped().where('client_id', '=', clientId).executeTakeFirst();
      return row ? toApp(row) : undefined;
    },

    list: async ({ filter, q, limit, after }) => {
      let query = scoped();
      if (filter) query = query.where(compileFilter(filter, appFields, dialect));
      if (q) {
        const prefix = keyOf(q);
        query = query.where('label_key', '>=', prefix).where('label_key', '<', `${prefix}\u{10FFFF}`);
      }
      if (after) query = query.where('id', '>', after);
      const rows = await query.orderBy('id').limit(limit + 1).execute();
      const items = rows.slice(0, limit).map(toApp);
      return rows.length > limit ? { items, next: items[items.length - 1]!.id } : { items };
    },

    delete: async (id) => {
      await db.deleteFrom('apps').where('org_id', '=', orgId).where('id', '=', id).execute();
    },

    assignUser: (a) => mapErrors(async () => {
      await db.insertInto('app_user_assignments').values({
        org_id: orgId, app_id: a.appId, user_id: a.userId, profile: JSON.stringify(a.profile), created: a.created, last_updated: a.lastUpdated,
      }).onConflict((oc) => oc.columns(['org_id', 'app_id', 'user_id']).doUpdateSet({ profile: JSON.stringify(a.profile), last_updated: a.lastUpdated }))
        .execute();
    }),

    unassignUser: async (appId, userId) => {
      const result = await db.deleteFrom('app_user_assignments').where('org_id', '=', orgId).where('app_id', '=', appId)
        .where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    findUserAssignment: async (appId, userId) => {
      const row = await db.selectFrom('app_user_assignments').selectAll().where('org_id', '=', orgId).where('app_id', '=', appId)
        .where('user_id', '=', userId).executeTakeFirst();
      return row ? toUserAssignment(row) : undefined;
    },

    listUserAssignments: async (appId, limit, after) => {
      let query = db.selectFrom('app_user_assignments').selectAll().where('org_id', '=', orgId).where('app_id', '=', appId);
      if (after) query = query.where('user_id', '>', after);
      const rows = await query.orderBy('user_id').limit(limit + 1).execute();
      const items = rows.slice(0, limit).map(toUserAssignment);
      return rows.length > limit ? { items, next: items[items.length - 1]!.userId } : { items };
    },

    assignGroup: (a) => mapErrors(async () => {
      await db.insertInto('app_group_assignments').values({
        org_id: orgId, app_id: a.appId, group_id: a.groupId, priority: a.priority, profile: JSON.stringify(a.profile),
        created: a.created, last_updated: a.lastUpdated,
      }).onConflict((oc) => oc.columns(['org_id', 'app_id', 'group_id'])
        .doUpdateSet({ priority: a.priority, profile: JSON.stringify(a.profile), last_updated: a.lastUpdated })).execute();
    }),

    unassignGroup: async (appId, groupId) => {
      const result = await db.deleteFrom('app_group_assignments').where('org_id', '=', orgId).where('app_id', '=', appId)
        .where('group_id', '=', groupId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    findGroupAssignment: async (appId, groupId) => {
      const row = await db.selectFrom('app_group_assignments').selectAll().where('org_id', '=', orgId).where('app_id', '=', appId)
        .where('group_id', '=', groupId).executeTakeFirst();
      return row ? toGroupAssignment(row) : undefined;
    },

    listGroupAssignments: async (appId) => (await db.selectFrom('app_group_assignments').selectAll()
      .where('org_id', '=', orgId).where('app_id', '=', appId).orderBy('priority').orderBy('group_id').execute()).map(toGroupAssignment),

    isAssigned: async (appId, userId) => {
      const direct = await db.selectFrom('app_user_assignments').select('user_id').where('org_id', '=', orgId)
        .where('app_id', '=', appId).where('user_id', '=', userId).executeTakeFirst();
      if (direct) return true;
      const viaGroup = await db.selectFrom('app_group_assignments as a')
        .innerJoin('group_members as m', (join) => join.onRef('m.org_id', '=', 'a.org_id').onRef('m.group_id', '=', 'a.group_id'))
        .select('a.group_id').where('a.org_id', '=', orgId).where('a.app_id', '=', appId).where('m.user_id', '=', userId)
        .executeTakeFirst();
      return viaGroup !== undefined;
    },

    appsOfUser: async (userId) => {
      const rows = await scoped().where((eb) => eb.or([
        eb.exists(eb.selectFrom('app_user_assignments as u').select(sql`1`.as('one'))
          .whereRef('u.org_id', '=', 'apps.org_id').whereRef('u.app_id', '=', 'apps.id').where('u.user_id', '=', userId)),
        eb.exists(eb.selectFrom('app_group_assignments as g')
          .innerJoin('group_members as m', (join) => join.onRef('m.org_id', '=', 'g.org_id').onRef('m.group_id', '=', 'g.group_id'))
          .select(sql`1`.as('one'))
          .whereRef('g.org_id', '=', 'apps.org_id').whereRef('g.app_id', '=', 'apps.id').where('m.user_id', '=', userId)),
      ])).orderBy('label_key').execute();
      return rows.map(toApp);
    },

    insertSecret: async (secret) => {
      await db.insertInto('app_client_secrets').values({
        org_id: orgId, app_id: secret.appId, id: secret.id, ciphertext: secret.ciphertext, secret_hash: secret.secretHash,
        status: secret.status, created: secret.created, last_updated: secret.lastUpdated,
      }).execute();
    },

    listSecrets: async (appId) => (await db.selectFrom('app_client_secrets').selectAll().where('org_id', '=', orgId)
      .where('app_id', '=', appId).orderBy('created').orderBy('id').execute()).map(toSecret),

    updateSecretStatus: async (appId, id, status, lastUpdated) => {
      const result = await db.updateTable('app_client_secrets').set({ status, last_updated: lastUpdated })
        .where('org_id', '=', orgId).where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    deleteSecret: async (appId, id) => {
      const result = await db.deleteFrom('app_client_secrets').where('org_id', '=', orgId).where('app_id', '=', appId)
        .where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
