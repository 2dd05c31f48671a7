/** Users of one org. Every query carries `org_id`; ids of another org simply are not found. */
import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { Database, UsersTable } from '../schema.ts';
import type { DialectName } from '../dialect.ts';
import { InvalidCursor, type UserChanges, type UserRepository } from '../../services/ports.ts';
import type { UserStatus, UserWithSecrets } from '../../domain/user.ts';
import { keyOf, type UserProfile } from '../../domain/user-profile.ts';
import { compileFilter, sortValue, type FieldResolver } from '../filter-sql.ts';
import { mapErrors } from '../errors.ts';
import type { Filter } from '../../protocols/scim/filter.ts';

/** Attributes `filter` and `search` may name, and where they live. */
export const userFields: FieldResolver = (path) => {
  switch (path) {
    case 'id': return { kind: 'text', column: 'users.id' };
    case 'status': return { kind: 'text', column: 'users.status' };
    case 'type.id': return { kind: 'text', column: 'users.type_id' };
    case 'created': case 'activated': case 'statusChanged': case 'lastUpdated': case 'lastLogin': case 'passwordChanged':
      return { kind: 'timestamp', column: `users.${snake(path)}` };
    case 'profile.login': return { kind: 'key', column: 'users.login_key' };
    case 'profile.email': return { kind: 'key', column: 'users.email_key' };
    case 'profile.firstName': return { kind: 'key', column: 'users.first_name_key' };
    case 'profile.lastName': return { kind: 'key', column: 'users.last_name_key' };
  }
  const profile = /^profile\.([A-Za-z][A-Za-z0-9_]*)$/.exec(path);
  return profile ? { kind: 'json', column: 'users.profile', attribute: profile[1]! } : undefined;
};

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** True when the filter constrains `status` anywhere, so DEPROVISIONED users are not hidden. */
function mentionsStatus(filter: Filter | undefined): boolean {
  if (!filter) return false;
  switch (filter.op) {
    case 'and': case 'or': return mentionsStatus(filter.left) || mentionsStatus(filter.right);
    case 'not': case 'valuePath': return mentionsStatus(filter.filter);
    default: return filter.path === 'status';
  }
}

/** `s.` + base64url of [sort path, value, id]: opaque to clients, checked on the way back. */
function encodeSortCursor(value: string, id: string, path: string): string {
  return `s.${Buffer.from(JSON.stringify([path, value, id])).toString('base64url')}`;
}

function decodeSortCursor(cursor: string, path: string): [string, string] {
  try {
    const [cursorPath, value, id] = JSON.parse(Buffer.from(cursor.replace(/^s\./, ''), 'base64url').toString('utf8')) as unknown[];
    if (cursor.startsWith('s.') && cursorPath === path && typeof value === 'string' && typeof id === 'string') return [value, id];
  } catch {
    // Falls through to the error below.
  }
  throw new InvalidCursor();
}

interface RecoveryColumn { question: string; answerHash: string }

export function toUser(row: Selectable<UsersTable>): UserWithSecrets {
  const recovery = row.recovery_question ? JSON.parse(row.recovery_question) as RecoveryColumn : null;
  return {
    id: row.id,
    orgId: row.org_id,
    status: row.status as UserStatus,
    transitioningToStatus: row.transitioning_to_status as UserStatus | null,
    profile: JSON.parse(row.profile) as UserProfile,
    typeId: row.type_id,
    created: row.created,
    activated: row.activated,
    statusChanged: row.status_changed,
    lastLogin: row.last_login,
    lastUpdated: row.last_updated,
    passwordChanged: row.password_changed,
    hasPassword: row.password_hash !== null,
    recoveryQuestion: recovery?.question ?? null,
    failedSignIns: Number(row.failed_sign_ins),
    passwordHash: row.password_hash,
    recoveryAnswerHash: recovery?.answerHash ?? null,
    // Only a directory's users carry these, so the org's own users read back exactly as written.
    ...(row.directory_id ? { provider: { type: row.provider_type, name: row.provider_name ?? row.provider_type }, directoryId: row.directory_id } : {}),
  };
}

function profileKeys(profile: UserProfile) {
  return {
    login: profile.login,
    login_key: keyOf(profile.login),
    email_key: keyOf(profile.email),
    first_name_key: keyOf(profile.firstName),
    last_name_key: keyOf(profile.lastName),
    profile: JSON.stringify(profile),
  };
}

export function createUserRepository(db: Kysely<Database>, orgId: string, dialect: DialectName): UserRepository {
  const scoped = () => db.selectFrom('users').selectAll().where('org_id', '=', orgId);

  /** Keyset paging over (sort value, id); the cursor carries both, so pages never skip or repeat. */
  async function sortedPage(query: ReturnType<typeof scoped>, sort: { path: string; descending: boolean }, limit: number, after?: string) {
    const value = sortValue(sort.path, userFields, dialect);
    const direction = sort.descending ? 'desc' : 'asc';
    if (after) {
      const [lastValue, lastId] = decodeSortCursor(after, sort.path);
      const beyond = sort.descending ? sql`<` : sql`>`;
      query = query.where(sql<boolean>`(${value} ${beyond} ${lastValue} or (${value} = ${lastValue} and users.id ${beyond} ${lastId}))`);
    }
    const rows = await query.select(value.as('sort_value')).orderBy(value, direction).orderBy('id', direction).limit(limit + 1).execute();
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toUser),
      ...(rows.length > limit && last ? { next: encodeSortCursor(String(last.sort_value), last.id, sort.path) } : {}),
    };
  }

  return {
    insert: (user) => mapErrors(async () => {
      await db.insertInto('users').values({
        org_id: orgId,
        id: user.id,
        status: user.status,
        transitioning_to_status: user.transitioningToStatus,
        ...profileKeys(user.profile),
        type_id: user.typeId,
        password_hash: user.passwordHash,
        password_changed: user.passwordChanged,
        recovery_question: user.recoveryQuestion && user.recoveryAnswerHash
          ? JSON.stringify({ question: user.recoveryQuestion, answerHash: user.recoveryAnswerHash }) : null,
        provider_type: user.provider?.type ?? 'OKTA',
        provider_name: user.provider && user.provider.type !== 'OKTA' ? user.provider.name : null,
        directory_id: user.directoryId ?? null,
        failed_sign_ins: user.failedSignIns,
        created: user.created,
        activated: user.activated,
        status_changed: user.statusChanged,
        last_login: user.lastLogin,
        last_updated: user.lastUpdated,
      }).execute();
    }),

    update: (id, changes: UserChanges) => mapErrors(async () => {
      const set: Updateable<UsersTable> = {};
      if (changes.status !== undefined) set.status = changes.status;
      if (changes.transitioningToStatus !== undefined) set.transitioning_to_status = changes.transitioningToStatus;
      if (changes.profile !== undefined) Object.assign(set, profileKeys(changes.profile));
      if (changes.passwordHash !== undefined) set.password_hash = changes.passwordHash;
      if (changes.passwordChanged !== undefined) set.password_changed = changes.passwordChanged;
      if (changes.recoveryQuestion !== undefined) {
        set.recovery_question = changes.recoveryQuestion && changes.recoveryAnswerHash
          ? JSON.stringify({ question: changes.recoveryQuestion, answerHash: changes.recoveryAnswerHash }) : null;
      }
      if (changes.failedSignIns !== undefined) set.failed_sign_ins = changes.failedSignIns;
      if (changes.activated !== undefined) set.activated = changes.activated;
      if (changes.statusChanged !== undefined) set.status_changed = changes.statusChanged;
      if (changes.lastLogin !== undefined) set.last_login = changes.lastLogin;
      if (changes.source !== undefined) {
        set.provider_type = changes.source?.provider.type ?? 'OKTA';
        set.provider_name = changes.source?.provider.name ?? null;
        set.directory_id = changes.source?.directoryId ?? null;
      }
      if (changes.lastUpdated !== undefined) set.last_updated = changes.lastUpdated;
      if (Object.keys(set).length === 0) return;
      await db.updateTable('users').set(set).where('org_id', '=', orgId).where('id', '=', id).execute();
    }),

    findById: async (id) => {
      const row = await scoped().where('id', '=', id).executeTakeFirst();
      return row ? toUser(row) : undefined;
    },

    findByLogin: async (login) => {
      const row = await scoped().where('login_key', '=', keyOf(login)).executeTakeFirst();
      return row ? toUser(row) : undefined;
    },

    list: async ({ filter, q, limit, after, includeDeprovisioned, sort }) => {
      let query = scoped();
      if (filter) query = query.where(compileFilter(filter, userFields, dialect));
      if (!includeDeprovisioned && !mentionsStatus(filter)) query = query.where('status', '<>', 'DEPROVISIONED');
      if (q) {
        const prefix = keyOf(q);
        const end = `${prefix}\u{10FFFF}`;
        query = query.where((eb) => eb.or(
          (['first_name_key', 'last_name_key', 'email_key', 'login_key'] as const)
            .map((column) => eb.and([eb(column, '>=', prefix), eb(column, '<', end)])),
        ));
      }
      if (sort) return sortedPage(query, sort, limit, after);
      if (after) query = query.where('id', '>', after);
      const rows = await query.orderBy('id').limit(limit + 1).execute();
      const items = rows.slice(0, limit).map(toUser);
      return rows.length > limit ? { items, next: items[items.length - 1]!.id } : { items };
    },

    delete: async (id) => {
      await db.deleteFrom('users').where('org_id', '=', orgId).where('id', '=', id).execute();
    },

    recordFailedSignIn: async (id) => {
      // One statement: a separate read could see another caller's increment.
      const row = await db.updateTable('users').set((eb) => ({ failed_sign_ins: eb('failed_sign_ins', '+', 1) }))
        .where('org_id', '=', orgId).where('id', '=', id).returning('failed_sign_ins').executeTakeFirst();
      return Number(row?.failed_sign_ins ?? 0);
    },

    count: async () => {
      const row = await db.selectFrom('users').select(sql<number>`count(*)`.as('n')).where('org_id', '=', orgId).executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    passwordHistory: async (id, count) => {
      if (count <= 0) return [];
      const rows = await db.selectFrom('password_history').select('password_hash')
        .where('org_id', '=', orgId).where('user_id', '=', id)
        .orderBy('created', 'desc').limit(count).execute();
      return rows.map((r) => r.password_hash);
    },

    addPasswordHistory: async (id, passwordHash, created) => {
      await db.insertInto('password_history').values({ org_id: orgId, user_id: id, password_hash: passwordHash, created }).execute();
    },

    roles: async (id) => {
      const rows = await db.selectFrom('user_roles').select('role').where('org_id', '=', orgId).where('user_id', '=', id).execute();
      return rows.map((r) => r.role);
    },

    addRole: async (id, role, created) => {
      // Check-then-insert races with a concurrent grant of the same role; the key decides.
      await db.insertInto('user_roles').values({ org_id: orgId, user_id: id, role, created })
        .onConflict((oc) => oc.doNothing()).execute();
    },
  };
}

