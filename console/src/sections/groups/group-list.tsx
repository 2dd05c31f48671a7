/** `/admin/groups`: the org's groups, searched by name, and a new one. */
import { useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { api, path } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import { DataTable, EmptyState, ErrorNotice, Loading, MoreButton, PageHeader, StatusNotice, TextField } from '../../components/ui.tsx';
import type { Group } from '../users/types.ts';

export function GroupList() {
  const arrived = (useLocation().state as { message?: string } | null)?.message;
  const navigate = useNavigate();
  const [draft, setDraft] = useState('');
  const [q, setQ] = useState('');
  const [extra, setExtra] = useState<{ rows: Group[]; next: string | undefined }>({ rows: [], next: undefined });
  const [loadingMore, setLoadingMore] = useState(false);
  const groups = useAsync(async () => {
    const page = await api.page<Group>(`/api/v1/groups?${new URLSearchParams({ ...(q ? { q } : {}), limit: '50' }).toString()}`);
    setExtra({ rows: [], next: page.next });
    return page.data;
  }, [q]);
  const more = useAction(async (next: string) => {
    setLoadingMore(true);
    try {
      const page = await api.page<Group>(next);
      setExtra((e) => ({ rows: [...e.rows, ...page.data], next: page.next }));
    } finally {
      setLoadingMore(false);
    }
  });
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const create = useAction(async () => api.post<Group>('/api/v1/groups', { profile: { name, ...(description ? { description } : {}) } }));
  const submitCreate = async (e: FormEvent) => {
    e.preventDefault();
    const group = await create.run();
    if (group) void navigate(path`/groups/${group.id}`, { state: { message: `Group ${group.profile.name} was created.` } });
  };
  const rows = [...(groups.data ?? []), ...extra.rows];
  return (
    <>
      <PageHeader title="Groups" description="Groups gather people, so apps and policies can be given to many at once." />
      <StatusNotice message={arrived} />
      <form className="toolbar" role="search" aria-label="Groups" onSubmit={(e) => { e.preventDefault(); setQ(draft.trim()); }}>
        <TextField label="Search by group name" type="search" value={draft} onChange={setDraft} />
        <button type="submit">Search</button>
      </form>
      <ErrorNotice error={groups.error} title="Could not load groups" />
      {groups.loading && !groups.data ? <Loading label="Loading groups…" /> : null}
      {groups.data ? (
        <DataTable caption={q ? 'Groups matching the search' : 'Groups'} rows={rows} rowKey={(g) => g.id}
          empty={<EmptyState title={q ? 'No group name starts with that.' : 'No groups yet.'} />}
          columns={[
            { header: 'Name', cell: (g) => <Link to={path`/groups/${g.id}`}>{g.profile.name}</Link> },
            { header: 'Description', cell: (g) => g.profile.description ?? '' },
            { header: 'Type', cell: (g) => g.type === 'BUILT_IN' ? 'Built in' : 'Lanyard' },
          ]} />
      ) : null}
      <ErrorNotice error={more.error} title="Could not load more groups" />
      <MoreButton next={extra.next} busy={loadingMore} onMore={(next) => void more.run(next)} />
      <h2 id="new-group-heading">New group</h2>
      <ErrorNotice error={create.error} title="Could not create the group" />
      <form className="stack card" aria-labelledby="new-group-heading" onSubmit={(e) => void submitCreate(e)} noValidate>
        <TextField label="Group name" value={name} onChange={setName} required autoComplete="off" />
        <TextField label="Description" value={description} onChange={setDescription} autoComplete="off" />
        <div className="actions"><button type="submit" className="primary" disabled={create.busy}>Create group</button></div>
      </form>
    </>
  );
}
