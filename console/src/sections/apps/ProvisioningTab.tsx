/**
 * The Provisioning tab: the SCIM connection, testing it, the provisioning features, recent tasks
 * with their errors, and importing the app's accounts with progress.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { api, path } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import { CheckboxField, DataTable, EmptyState, ErrorNotice, Loading, ProgressBar, SelectField, StatusBadge, StatusNotice, TextField } from '../../components/ui.tsx';
import type { App } from './types.ts';
import './apps.css';

interface Connection { readonly authScheme: string; readonly baseUrl?: string; readonly status: string }
interface Toggle { status: 'ENABLED' | 'DISABLED' }
interface Capabilities { create: { lifecycleCreate: Toggle }; update: { lifecycleDeactivate: Toggle; profile: Toggle; password: Toggle & Record<string, unknown> } }
interface Task { readonly id: string; readonly kind: string; readonly subjectType: string; readonly subjectId: string; readonly status: string; readonly attempts: number; readonly lastError: string | null; readonly lastUpdated: string }
interface ImportRecord {
  readonly id: string; readonly status: string; readonly error: string | null;
  readonly progress: { users: number; groups: number; reading: string | null; usersTotal?: number | null } | null;
  readonly results: { users: { proposed: string }[]; groups: { proposed: string }[] } | null;
}

export function ProvisioningTab({ app }: { app: App }) {
  const [message, setMessage] = useState<string>();
  const connection = useAsync(() => api.get<Connection>(path`/api/v1/apps/${app.id}/connections/default`), [app.id]);
  return (
    <div className="stack">
      <StatusNotice message={message} />
      <ErrorNotice error={connection.error} />
      {connection.data ? <ConnectionForm app={app} connection={connection.data} onSaved={(m) => { setMessage(m); connection.reload(); }} /> : <Loading />}
      {connection.data && connection.data.authScheme !== 'UNKNOWN' ? (
        <>
          <Features app={app} announce={setMessage} />
          <Tasks app={app} />
          <Import app={app} announce={setMessage} />
        </>
      ) : null}
    </div>
  );
}

function ConnectionForm({ app, connection, onSaved }: { app: App; connection: Connection; onSaved: (message: string) => void }) {
  const [baseUrl, setBaseUrl] = useState(connection.baseUrl ?? '');
  const [token, setToken] = useState('');
  const [enabled, setEnabled] = useState(connection.status === 'ENABLED');
  const save = useAction(async () => {
    await api.post(path`/api/v1/apps/${app.id}/connections/default?activate=${String(enabled)}`, { baseUrl: baseUrl.trim(), profile: { authScheme: 'TOKEN', token } });
    if (!enabled && connection.status === 'ENABLED') await api.post(path`/api/v1/apps/${app.id}/connections/default/lifecycle/deactivate`);
    return true;
  });
  const test = useAction(async () => api.post<{ ok: boolean; checks: { request: string; status: number; ok: boolean; detail: string }[] }>(path`/api/v1/apps/${app.id}/provisioning/test`));
  const [result, setResult] = useState<Awaited<ReturnType<typeof test.run>>>();

  function submit(e: FormEvent) {
    e.preventDefault();
    void save.run().then((ok) => { if (ok) { setToken(''); onSaved('Connection saved.'); } });
  }

  return (
    <section className="card stack" aria-labelledby="connection-heading">
      <h3 id="connection-heading">SCIM connection</h3>
      <p>Status: <StatusBadge status={connection.status} />{connection.authScheme !== 'UNKNOWN' ? ` · ${connection.authScheme}` : ''}</p>
      <form className="stack" onSubmit={submit} aria-label="SCIM connection settings">
        <ErrorNotice error={save.error} title="The connection could not be saved" />
        <TextField label="SCIM base URL" type="url" value={baseUrl} onChange={setBaseUrl} required />
        <TextField label="Bearer token" type="password" value={token} onChange={setToken} required autoComplete="off"
          hint={connection.authScheme !== 'UNKNOWN' ? 'Lanyard never shows the stored token; enter it again to change the connection.' : undefined} />
        <CheckboxField label="Provisioning enabled" checked={enabled} onChange={setEnabled} />
        <p><button type="submit" className="primary" disabled={save.busy}>Save connection</button></p>
      </form>
      {connection.authScheme !== 'UNKNOWN' ? (
        <div className="stack">
          <p><button type="button" disabled={test.busy} onClick={() => void test.run().then(setResult)}>{test.busy ? 'Testing…' : 'Test connection'}</button></p>
          <ErrorNotice error={test.error} title="The test could not run" />
          {result ? (
            <div role="status">
              <p><strong>{result.ok ? 'The connection works.' : 'The connection failed.'}</strong></p>
              <ul>{result.checks.map((c) => <li key={c.request}>{c.request}: {c.ok ? 'ok' : 'failed'} ({c.status}) {c.ok ? '' : c.detail}</li>)}</ul>
            </div>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

function Features({ app, announce }: { app: App; announce: (message: string) => void }) {
  const feature = useAsync(() => api.get<{ capabilities: Capabilities }>(path`/api/v1/apps/${app.id}/features/USER_PROVISIONING`), [app.id]);
  const [caps, setCaps] = useState<Capabilities>();
  useEffect(() => { if (feature.data) setCaps(feature.data.capabilities); }, [feature.data]);
  const save = useAction(async (next: Capabilities) => { await api.put(path`/api/v1/apps/${app.id}/features/USER_PROVISIONING`, next); return true; });
  const on = (t: Toggle | undefined) => t?.status === 'ENABLED';
  const toggle = (value: boolean): Toggle => ({ status: value ? 'ENABLED' : 'DISABLED' });
  if (!caps) return feature.error ? <ErrorNotice error={feature.error} /> : <Loading />;
  const update = (next: Capabilities) => setCaps(next);
  return (
    <form className="card stack" aria-labelledby="features-heading"
      onSubmit={(e) => { e.preventDefault(); void save.run(caps).then((ok) => { if (ok) announce('Provisioning features saved.'); }); }}>
      <h3 id="features-heading">Provisioning features</h3>
      <ErrorNotice error={save.error} title="The features could not be saved" />
      <CheckboxField label="Create users" checked={on(caps.create.lifecycleCreate)} onChange={(v) => update({ ...caps, create: { lifecycleCreate: toggle(v) } })} />
      <CheckboxField label="Update user attributes" checked={on(caps.update.profile)} onChange={(v) => update({ ...caps, update: { ...caps.update, profile: toggle(v) } })} />
      <CheckboxField label="Deactivate users" checked={on(caps.update.lifecycleDeactivate)} onChange={(v) => update({ ...caps, update: { ...caps.update, lifecycleDeactivate: toggle(v) } })} />
      <CheckboxField label="Sync passwords" checked={on(caps.update.password)} onChange={(v) => update({ ...caps, update: { ...caps.update, password: { ...caps.update.password, ...toggle(v) } } })} />
      <p><button type="submit" className="primary" disabled={save.busy}>Save features</button></p>
    </form>
  );
}

function Tasks({ app }: { app: App }) {
  const tasks = useAsync(() => api.get<Task[]>(path`/api/v1/apps/${app.id}/provisioning/tasks?limit=20`), [app.id]);
  return (
    <section className="card stack" aria-labelledby="tasks-heading">
      <h3 id="tasks-heading">Recent tasks</h3>
      <ErrorNotice error={tasks.error} />
      <p><button type="button" onClick={tasks.reload} disabled={tasks.loading}>Refresh tasks</button></p>
      {tasks.loading && !tasks.data ? <Loading /> : (
        <div className="app-tasks"><DataTable caption="Recent provisioning tasks" rows={tasks.data ?? []} rowKey={(t) => t.id}
          empty={<EmptyState title="No provisioning tasks yet." />}
          columns={[
            { header: 'Task', cell: (t) => `${t.kind} ${t.subjectType} ${t.subjectId}` },
            { header: 'Status', cell: (t) => <StatusBadge status={t.status} /> },
            { header: 'Attempts', cell: (t) => t.attempts },
            { header: 'Error', cell: (t) => t.lastError ?? '' },
            { header: 'Updated', cell: (t) => new Date(t.lastUpdated).toLocaleString() },
          ]} /></div>
      )}
    </section>
  );
}

function Import({ app, announce }: { app: App; announce: (message: string) => void }) {
  const [match, setMatch] = useState('login');
  const [createUnmatched, setCreateUnmatched] = useState(false);
  const [record, setRecord] = useState<ImportRecord>();
  const [pollError, setPollError] = useState<unknown>();
  const start = useAction(async () => {
    const settings = await api.get<Record<string, unknown>>(path`/api/v1/apps/${app.id}/provisioning`);
    if (!settings.importUsers) await api.put(path`/api/v1/apps/${app.id}/provisioning`, { ...settings, importUsers: true });
    return api.post<ImportRecord>(path`/api/v1/apps/${app.id}/provisioning/imports`, { match, createUnmatched });
  });
  const confirm = useAction(async (id: string) => api.post<ImportRecord>(path`/api/v1/apps/${app.id}/provisioning/imports/${id}/confirm`, { decisions: [] }));

  useEffect(() => {
    if (!record || record.status !== 'RUNNING') return undefined;
    const timer = window.setTimeout(() => {
      api.get<ImportRecord>(path`/api/v1/apps/${app.id}/provisioning/imports/${record.id}`).then(setRecord, setPollError);
    }, 500);
    return () => window.clearTimeout(timer);
  }, [app.id, record]);

  const progress = record?.progress;
  const count = (list: { proposed: string }[] | undefined, proposed: string) => (list ?? []).filter((x) => x.proposed === proposed).length;
  return (
    <section className="card stack" aria-labelledby="import-heading">
      <h3 id="import-heading">Import accounts</h3>
      <ErrorNotice error={start.error ?? pollError ?? confirm.error} title="The import did not work" />
      <form className="toolbar" aria-label="Import options"
        onSubmit={(e) => { e.preventDefault(); setPollError(undefined); void start.run().then((r) => { if (r) setRecord(r); }); }}>
        <SelectField label="Match accounts by" value={match} onChange={setMatch}
          options={[{ value: 'login', label: 'Username and login' }, { value: 'email', label: 'Email' }]} />
        <CheckboxField label="Propose new users for unmatched accounts" checked={createUnmatched} onChange={setCreateUnmatched} />
        <button type="submit" className="primary" disabled={start.busy || record?.status === 'RUNNING'}>Start import</button>
      </form>
      {record ? (
        <div className="stack">
          <ProgressBar label="Import progress"
            value={record.status === 'RUNNING' ? progress?.users ?? 0 : 1}
            max={record.status === 'RUNNING' ? (progress?.usersTotal ?? undefined) : 1}
            detail={record.status === 'RUNNING'
              ? `Reading ${progress?.reading ?? 'accounts'}: ${progress?.users ?? 0} accounts and ${progress?.groups ?? 0} groups so far`
              : record.status === 'FAILED' ? `Import failed: ${record.error ?? 'unknown error'}` : `Done: ${progress?.users ?? 0} accounts and ${progress?.groups ?? 0} groups read`} />
          <p>Import status: <StatusBadge status={record.status} /></p>
          {record.status === 'READY' && record.results ? (
            <>
              <ul>
                <li>{count(record.results.users, 'link')} accounts match existing people</li>
                <li>{count(record.results.users, 'create')} accounts would become new people</li>
                <li>{count(record.results.users, 'ignore')} accounts are ignored</li>
                <li>{count(record.results.users, 'linked')} accounts are already linked</li>
              </ul>
              <p><button type="button" className="primary" disabled={confirm.busy}
                onClick={() => void confirm.run(record.id).then((r) => { if (r) { setRecord(r); announce('Import applied.'); } })}>Apply import</button></p>
            </>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
