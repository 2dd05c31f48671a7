/**
 * The system log of one org. Events are ordered by their UUIDv7, which is also the paging cursor;
 * targets sit in their own table so `target.id eq "…"` is an indexed lookup.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { DialectName } from '../dialect.ts';
import type { LogRepository } from '../../services/ports.ts';
import type { LogEvent } from '../../domain/log-event.ts';
import { compileFilter, type FieldResolver } from '../filter-sql.ts';

const joinEvent = [['log_events.org_id', 'org_id'], ['log_events.uuid', 'uuid']] as const;

export const logFields: FieldResolver = (path) => {
  switch (path) {
    case 'uuid': return { kind: 'text', column: 'log_events.uuid' };
    case 'eventType': return { kind: 'text', column: 'log_events.event_type' };
    case 'severity': return { kind: 'text', column: 'log_events.severity' };
    case 'actor.id': return { kind: 'text', column: 'log_events.actor_id' };
    case 'outcome.result': return { kind: 'text', column: 'log_events.outcome_result' };
    case 'target.id': return { kind: 'exists', table: 'log_event_targets', column: 'target_id', join: joinEvent };
    case 'target.type': return { kind: 'exists', table: 'log_event_targets', column: 'target_type', join: joinEvent };
    case 'displayMessage': case 'legacyEventType': case 'actor.type': case 'actor.alternateId': case 'actor.displayName':
    case 'outcome.reason': case 'client.ipAddress': case 'client.zone': case 'transaction.id': case 'transaction.type':
    case 'authenticationContext.externalSessionId':
      return { kind: 'json', column: 'log_events.event', attribute: path };
  }
  return undefined;
};

/** The text `q` keywords are matched in: the values a person would search for. */
function searchText(event: LogEvent): string {
  const parts = [
    event.eventType, event.displayMessage, event.outcome.result, event.outcome.reason,
    event.actor.id, event.actor.alternateId, event.actor.displayName, event.client.ipAddress,
    ...event.target.flatMap((t) => [t.id, t.alternateId, t.displayName, t.type]),
  ];
  return parts.filter((p): p is string => typeof p === 'string' && p !== '').join(' ').toLowerCase();
}

export function createLogRepository(db: Kysely<Database>, orgId: string, dialect: DialectName): LogRepository {
  return {
    append: async (event) => {
      await db.insertInto('log_events').values({
        org_id: orgId,
        uuid: event.uuid,
        published: event.published,
        event_type: event.eventType,
        severity: event.severity,
        actor_id: event.actor.id,
        outcome_result: event.outcome.result,
        display_message: event.displayMessage,
        search_text: searchText(event),
        event: JSON.stringify(event),
      }).execute();
      if (event.target.length > 0) {
        await db.insertInto('log_event_targets').values(event.target.map((t) => ({
          org_id: orgId, uuid: event.uuid, target_id: t.id, target_type: t.type,
        }))).execute();
      }
    },

    query: async ({ since, until, filter, q, limit, after, order }) => {
      let query = db.selectFrom('log_events').select(['uuid', 'event'])
        .where('org_id', '=', orgId).where('published', '>=', since);
      if (until) query = query.where('published', '<', until);
      if (filter) query = query.where(compileFilter(filter, logFields, dialect));
      for (const keyword of q ?? []) {
        const needle = keyword.toLowerCase();
        query = query.where(dialect === 'postgres'
          ? sql<boolean>`strpos(search_text, ${needle}) > 0`
          : sql<boolean>`instr(search_text, ${needle}) > 0`);
      }
      if (after) query = query.where('uuid', order === 'ASCENDING' ? '>' : '<', after);
      const rows = await query.orderBy('uuid', order === 'ASCENDING' ? 'asc' : 'desc').limit(limit + 1).execute();
      const items = rows.slice(0, limit).map((r) => JSON.parse(r.event) as LogEvent);
      return rows.length > limit ? { items, next: items[items.length - 1]!.uuid } : { items };
    },
  };
}
