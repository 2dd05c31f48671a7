import { Fragment, useState, type FormEvent } from 'react';
import type { Section } from '../section.ts';
import { api, request } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import { EmptyState, ErrorNotice, Loading, MoreButton, PageHeader, SelectField, TextField } from '../../components/ui.tsx';
import './logs.css';

interface LogEvent {
  readonly uuid: string;
  readonly published: string;
  readonly eventType: string;
  readonly displayMessage: string;
  readonly severity: string;
  readonly actor: { id: string; type: string; alternateId: string | null; displayName: string | null };
  readonly outcome: { result: string; reason: string | null };
  readonly target: readonly { id: string; type: string; alternateId: string | null; displayName: string | null }[];
  readonly client?: { ipAddress?: string | null };
}

interface Filters {
  readonly eventType: string;
  readonly actorId: string;
  readonly targetId: string;
  readonly outcome: string;
  readonly since: string;
  readonly until: string;
  readonly q: string;
}

const noFilters: Filters = { eventType: '', actorId: '', targetId: '', outcome: '', since: '', until: '', q: '' };

/** A value inside a SCIM filter string: quotes and backslashes escaped. */
const quoted = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** `datetime-local` (the browser's local time) to ISO 8601 for `since`/`until`. */
const isoOf = (local: string) => (local ? new Date(local).toISOString() : '');

/** The filters as `/api/v1/logs` query parameters: Okta's `filter` expression, `q`, `since`, `until`, newest first. */
export function logQuery(f: Filters): string {
  const clauses = [
    f.eventType.trim() ? `eventType eq ${quoted(f.eventType.trim())}` : '',
    f.actorId.trim() ? `actor.id eq ${quoted(f.actorId.trim())}` : '',
    f.targetId.trim() ? `target.id eq ${quoted(f.targetId.trim())}` : '',
    f.outcome ? `outcome.result eq ${quoted(f.outcome)}` : '',
  ].filter(Boolean);
  const params = new URLSearchParams({ sortOrder: 'DESCENDING', limit: '50' });
  if (clauses.length) params.set('filter', clauses.join(' and '));
  if (f.q.trim()) params.set('q', f.q.trim());
  if (f.since) params.set('since', isoOf(f.since));
  // Without `until` a newest-first query still ends: the server gives a next link only while there is more.
  if (f.until) params.set('until', isoOf(f.until));
  return `/api/v1/logs?${params.toString()}`;
}

function EventRow({ event }: { event: LogEvent }) {
  const [open, setOpen] = useState(false);
  const detailsId = `event-${event.uuid}`;
  return (
    <li className="log-event">
      <div className="log-summary">
        <time dateTime={event.published}>{new Date(event.published).toLocaleString()}</time>
        <span className={`badge badge-${event.outcome.result === 'SUCCESS' ? 'active' : event.outcome.result === 'FAILURE' || event.outcome.result === 'DENY' ? 'failed' : 'pending'}`}>
          {event.outcome.result.toLowerCase()}
        </span>
        <span className="log-message">{event.displayMessage}</span>
        <code>{event.eventType}</code>
        <span className="log-actor">by {event.actor.displayName ?? event.actor.alternateId ?? event.actor.id}</span>
        <button type="button" aria-expanded={open} aria-controls={detailsId} onClick={() => setOpen(!open)}>
          {open ? 'Hide details' : 'Details'}<span className="visually-hidden"> of {event.displayMessage} at {new Date(event.published).toLocaleString()}</span>
        </button>
      </div>
      <div id={detailsId} hidden={!open}>
        {open ? (
          <>
            <dl className="facts">
              <dt>Event id</dt><dd><code>{event.uuid}</code></dd>
              <dt>Severity</dt><dd>{event.severity}</dd>
              <dt>Actor</dt><dd>{event.actor.type} {event.actor.alternateId ?? ''} (<code>{event.actor.id}</code>)</dd>
              {event.outcome.reason ? <><dt>Reason</dt><dd>{event.outcome.reason}</dd></> : null}
              {event.client?.ipAddress ? <><dt>IP address</dt><dd>{event.client.ipAddress}</dd></> : null}
              {event.target.map((t, i) => (
                <Fragment key={`${t.id}-${i}`}><dt>Target</dt><dd>{t.type} {t.displayName ?? t.alternateId ?? ''} (<code>{t.id}</code>)</dd></Fragment>
              ))}
            </dl>
            <details>
              <summary>Full event (JSON)</summary>
              <pre>{JSON.stringify(event, null, 2)}</pre>
            </details>
          </>
        ) : null}
      </div>
    </li>
  );
}

function LogsPage() {
  const [draft, setDraft] = useState<Filters>(noFilters);
  const [applied, setApplied] = useState<Filters>(noFilters);
  const [more, setMore] = useState<{ events: LogEvent[]; next: string | undefined } | undefined>();
  const first = useAsync(async () => {
    setMore(undefined);
    return request<LogEvent[]>('GET', logQuery(applied));
  }, [applied]);
  const loadMore = useAction(async (next: string) => {
    const page = await api.page<LogEvent>(next);
    setMore((m) => ({ events: [...m?.events ?? [], ...page.data], next: page.next }));
  });
  const set = (key: keyof Filters) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setApplied({ ...draft });
  };
  const events = [...first.data?.data ?? [], ...more?.events ?? []];
  const next = more ? more.next : first.data?.next;

  return (
    <div className="stack">
      <PageHeader title="System log" description="What happened in the org, newest first." />
      <form className="card" onSubmit={submit} aria-labelledby="log-filters-heading">
        <h2 id="log-filters-heading">Filters</h2>
        <div className="toolbar">
          <TextField label="Event type" value={draft.eventType} onChange={set('eventType')} placeholder="user.session.start" />
          <TextField label="Actor id" value={draft.actorId} onChange={set('actorId')} />
          <TextField label="Target id" value={draft.targetId} onChange={set('targetId')} />
          <SelectField label="Outcome" value={draft.outcome} onChange={set('outcome')} options={[
            { value: '', label: 'Any outcome' }, { value: 'SUCCESS', label: 'Success' }, { value: 'FAILURE', label: 'Failure' },
            { value: 'DENY', label: 'Denied' }, { value: 'ALLOW', label: 'Allowed' }, { value: 'CHALLENGE', label: 'Challenged' },
          ]} />
          <TextField label="Since" type="datetime-local" value={draft.since} onChange={set('since')} hint="Default: the last 7 days." />
          <TextField label="Until" type="datetime-local" value={draft.until} onChange={set('until')} />
          <TextField label="Search text" value={draft.q} onChange={set('q')} hint="Every word must appear in the event." />
        </div>
        <div className="actions">
          <button type="submit" className="primary">Apply filters</button>
          <button type="button" onClick={() => { setDraft(noFilters); setApplied({ ...noFilters }); }}>Clear filters</button>
        </div>
      </form>
      <section aria-labelledby="events-heading">
        <h2 id="events-heading">Events</h2>
        <ErrorNotice error={first.error} title="The log could not be searched" />
        <ErrorNotice error={loadMore.error} title="More events could not be loaded" />
        {first.loading ? <Loading label="Searching the log…" /> : null}
        {!first.loading && first.data && events.length === 0 ? <EmptyState title="No events match these filters" /> : null}
        {events.length ? (
          <>
            <p className="hint" role="status">{events.length} event{events.length === 1 ? '' : 's'} shown{next ? '; more are available' : ''}.</p>
            <ol className="log-events" aria-label="Log events">
              {events.map((e) => <EventRow key={e.uuid} event={e} />)}
            </ol>
          </>
        ) : null}
        <MoreButton next={next} busy={loadMore.busy} onMore={(n) => void loadMore.run(n)} />
      </section>
    </div>
  );
}

export const sections: Section[] = [
  { group: 'Reports', label: 'System log', path: 'logs', scope: 'okta.logs.read', routes: [{ path: 'logs', element: <LogsPage /> }] },
];
