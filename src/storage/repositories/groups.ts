/** Groups of one org and their memberships. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, GroupsTable } from '../schema.ts';
import type { DialectName } from '../dialect.ts';
import type { GroupRepository } from '../../services/ports.ts';
import type { Group } from '../../domain/group.ts';
import { keyOf } from '../../domain/user-profile.ts';
import { compileFilter, type FieldResolver } from '../filter-sql.ts';
import { mapErrors } from '../errors.ts';
import { toUser } from './users.ts';

export const groupFields: FieldResolver = (path) => {
  switch (path) {
    case 'id': return { kind: 'text', column: 'groups.id' };
    case 'type': return { kind: 'text', column: 'groups.type' };
    case 'created': return { kind: 'timestamp', column: 'groups.created' };
    case 'lastUpdated': return { kind: 'timestamp', column: 'groups.last_updated' };
    case 'lastMembershipUpdated': return { kind: 'timestamp', column: 'groups.last_membership_updated' };
    case 'profile.name': return { kind: 'key', column: 'groups.name_key' };
  }
  const profile = /^profile\.([A-Za-z][A-Za-z0-9_]*)$/.exec(path);
  return profile ? { kind: 'json', column: 'groups.profile', attribute: profile[1]! } : undefined;
};

function toGroup(row: Selectable<GroupsTable>): Group {
  return {
    id: row.id,
    orgId: row.org_id,
    type: row.type as Group['type'],
    name: row.name,
    description: row.description,
    profile: JSON.parse(row.profile) as Record<string, unknown>,
    created: row.created,
    lastUpdated: row.last_updated,
    lastMembershipUpdated: row.last_membership_updated,
  };
}

export function createGroupRepository(db: Kysely<Database>, orgId: string, dialect: DialectName): GroupRepository {
  const scoped = () => db.selectFrom('groups').selectAll().where('org_id', '=', orgId);
  return {
    insert: (group) => mapErrors(async () => {
      await db.insertInto('groups').values({
        org_id: orgId,
        id: group.id,
        type: group.type,
        name: group.name,
        name_key: keyOf(group.name),
        description: group.description,
        profile: JSON.stringify(group.profile),
        created: group.created,
        last_updated: group.lastUpdated,
        last_membership_updated: group.lastMembershipUpdated,
      }).execute();
    }),

    update: (id, changes) => mapErrors(async () => {
      await db.updateTable('groups').set({
        name: changes.name,
        name_key: keyOf(changes.name),
        description: changes.description,
        profile: JSON.stringify(changes.profile),
        last_updated: changes.lastUpdated,
      }).where('org_id', '=', orgId).where('id', '=', id).execute();
    }),

    touchMembership: async (id, at) => {
      await db.updateTable('groups').set({ last_membership_updated: at })
        .where('org_id', '=', orgId).where('id', '=', id).execute();
    },

    findById: async (id) => {
      const row = await scoped().where('id', '=', id).executeTakeFirst();
      return row ? toGroup(row) : undefined;
    },

    findByName: async (name) => {
      const row = await scoped().where('name_key', '=', keyOf(name)).executeTakeFirst();
      return row ? toGroup(row) : undefined;
    },

    list: async ({ filter, q, limit, after }) => {
      let query = scoped();
      if (filter) query = query.where(compileFilter(filter, groupFields, dialect));
      if (q) {
        const prefix = keyOf(q);
        query = query.where('name_key', '>=', prefix).where('name_key', '<', `${prefix}\u{10FFFF}`);
      }
      if (after) query = query.where('id', '>', after);
      const rows = await query.orderBy('id').limit(limit + 1).execute();
      const items = rows.slice(0, limit).map(toGroup);
      return rows.length > limit ? { items, next: items[items.length - 1]!.id } : { items };
    },

    delete: async (id) => {
      await db.deleteFrom('groups').where('org_id', '=', orgId).where('id', '=', id).execute();
    },

    addMember: async (groupId, userId, created) => {
      // The key decides: a check before the insert would race with a concurrent add of the same member.
      const result = await db.insertInto('group_members').values({ org_id: orgId, group_id: groupId, user_id: userId, created })
        .onConflict((oc) => oc.doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    removeMember: async (groupId, userId) => {
      const result = await db.deleteFrom('group_members')
        .where('org_id', '=', orgId).where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    listMembers: async (groupId, limit, after) => {
      let query = db.selectFrom('group_members')
        .innerJoin('users', (join) => join.onRef('users.org_id', '=', 'group_members.org_id').onRef('users.id', '=', 'group_members.user_id'))
        .selectAll('users')
        .where('group_members.org_id', '=', orgId).where('group_members.group_id', '=', groupId);
      if (after) query = query.where('users.id', '>', after);
      const rows = await query.orderBy('users.id').limit(limit + 1).execute();
      const items = rows.slice(0, limit).map(toUser);
      return rows.length > limit ? { items, next: items[items.length - 1]!.id } : { items };
    },

    groupsOfUser: async (userId) => {
      const rows = await db.selectFrom('group_members')
        .innerJoin('groups', (join) => join.onRef('groups.org_id', '=', 'group_members.org_id').onRef('groups.id', '=', 'group_members.group_id'))
        .selectAll('groups')
        .where('group_members.org_id', '=', orgId).where('group_members.user_id', '=', userId)
        .orderBy('groups.name_key').execute();
      return rows.map(toGroup);
    },
  };
}
