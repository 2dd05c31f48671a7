import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import { DataTable, EmptyState, ErrorNotice, Loading, MoreButton, PageHeader, StatusBadge, TextField } from '../../components/ui.tsx';
import { listOf, type AuthServer } from './types.ts';

export function AuthorizationServerList() {
  const navigate = useNavigate();
  const first = useAsync(() => api.page<AuthServer>('/api/v1/authorizationServers?limit=50'), []);
  const [more, setMore] = useState<{ items: AuthServer[]; next: string | undefined } | undefined>();
  const loadMore = useAction(async (next: string) => {
    const page = await api.page<AuthServer>(next);
    setMore((m) => ({ items: [...m?.items ?? [], ...page.data], next: page.next }));
  });
  const [name, setName] = useState('');
  const [audience, setAudience] = useState('');
  const [description, setDescription] = useState('');
  const create = useAction((body: unknown) => api.post<AuthServer>('/api/v1/authorizationServers', body));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const created = await create.run({ name, description, audiences: listOf(audience) });
    if (created) void navigate(`/authorization-servers/${encodeURIComponent(created.id)}`);
  };
  const rows = [...first.data?.data ?? [], ...more?.items ?? []];
  return (
    <div className="stack">
      <PageHeader title="Authorization servers" description="Servers that issue access tokens for your APIs, each with its scopes, claims and access policies." />
      <section className="card" aria-labelledby="new-server-heading">
        <h2 id="new-server-heading">Add an authorization server</h2>
        <ErrorNotice error={create.error} title="The server was not created" />
        <form className="stack" onSubmit={(e) => void submit(e)}>
          <div className="toolbar">
            <TextField label="Name" value={name} onChange={setName} required />
            <TextField label="Audience" value={audience} onChange={setAudience} required hint="The API's identifier, e.g. api://orders." />
            <TextField label="Description" value={description} onChange={setDescription} />
          </div>
          <div className="actions"><button type="submit" className="primary" disabled={create.busy}>{create.busy ? 'Creating…' : 'Add server'}</button></div>
        </form>
      </section>
      <section aria-labelledby="servers-heading">
        <h2 id="servers-heading">Servers</h2>
        <ErrorNotice error={first.error} title="The servers could not be loaded" />
        <ErrorNotice error={loadMore.error} title="More servers could not be loaded" />
        {first.loading && !first.data ? <Loading /> : null}
        {first.data ? (
          <DataTable caption="Authorization servers" rows={rows} rowKey={(s) => s.id}
            empty={<EmptyState title="No authorization servers yet" />}
            columns={[
              { header: 'Name', cell: (s) => <Link to={`/authorization-servers/${encodeURIComponent(s.id)}`}>{s.name}</Link> },
              { header: 'Audience', cell: (s) => s.audiences.join(', ') },
              { header: 'Issuer', cell: (s) => <code>{s.issuer}</code> },
              { header: 'Status', cell: (s) => <StatusBadge status={s.status} /> },
            ]} />
        ) : null}
        <MoreButton next={more ? more.next : first.data?.next} busy={loadMore.busy} onMore={(n) => void loadMore.run(n)} />
      </section>
    </div>
  );
}
