/** `/admin/users`: everyone in the directory, searched by name or email, filtered by status, paged. */
import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'react-router';
import { api } from '../../api.ts';
import { useAsync } from '../../components/async.ts';
import { DataTable, EmptyState, ErrorNotice, Loading, MoreButton, PageHeader, SelectField, StatusBadge, StatusNotice, TextField } from '../../components/ui.tsx';
import { displayName, userStatuses, type User } from './types.ts';

const statusOptions = [
  { value: '', label: 'Any status' },
  ...userStatuses.map((s) => ({ value: s, label: s.replace(/_/g, ' ').toLowerCase().replace(/^./, (c) => c.toUpperCase()) })),
];

/** `q` matches the start of a name or email; the status travels as Okta's `filter`. */
export function usersQuery(q: string, status: string): string {
  const params = new URLSearchParams({ limit: '50' });
  if (q) params.set('q', q);
  if (status) params.set('filter', `status eq "${status}"`);
  return `/api/v1/users?${params.toString()}`;
}

export function UserList() {
  const arrived = (useLocation().state as { message?: string } | null)?.message;
  const [draft, setDraft] = useState('');
  const [q, setQ] = useState('');
  const [status, setStatus] = useState('');
  const [more, setMore] = useState<{ rows: User[]; next: string | undefined }>({ rows: [], next: undefined });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>();
  const first = useAsync(async () => {
    const page = await api.page<User>(usersQuery(q, status));
    setMore({ rows: [], next: page.next });
    // The rows keep the search they answer, so the caption never describes a search still loading.
    return { users: page.data, filtered: Boolean(q || status) };
  }, [q, status]);

  const search = (e: FormEvent) => {
    e.preventDefault();
    setQ(draft.trim());
  };
  const loadMore = async (next: string) => {
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const page = await api.page<User>(next);
      setMore((m) => ({ rows: [...m.rows, ...page.data], next: page.next }));
    } catch (error) {
      setMoreError(error);
    } finally {
      setLoadingMore(false);
    }
  };
  const rows = [...(first.data?.users ?? []), ...more.rows];
  const filtered = first.data?.filtered ?? false;

  return (
    <>
      <PageHeader title="People" description="Everyone who can sign in to this organisation, and those on their way in or out."
        actions={<Link className="button primary" to="/users/new">Add person</Link>} />
      <StatusNotice message={arrived} />
      <form className="toolbar" role="search" aria-label="People" onSubmit={search}>
        <TextField label="Search by name or email" type="search" value={draft} onChange={setDraft} name="q" />
        <SelectField label="Status" value={status} onChange={setStatus} options={statusOptions} name="status" />
        <button type="submit">Search</button>
      </form>
      <ErrorNotice error={first.error} title="Could not load people" />
      {first.loading ? <Loading label="Loading people…" /> : null}
      {first.data ? (
        <DataTable caption={filtered ? 'People matching the search' : 'People'} rows={rows} rowKey={(u) => u.id}
          empty={filtered
            ? <EmptyState title="No one matches this search.">Try the start of a first name, last name or email address, or another status.</EmptyState>
            : <EmptyState title="No people yet."><Link to="/users/new">Add the first person</Link></EmptyState>}
          columns={[
            { header: 'Name', cell: (u) => <Link to={`/users/${encodeURIComponent(u.id)}`}>{displayName(u)}</Link> },
            { header: 'Username', cell: (u) => u.profile.login },
            { header: 'Email', cell: (u) => u.profile.email },
            { header: 'Status', cell: (u) => <StatusBadge status={u.status} /> },
          ]} />
      ) : null}
      <ErrorNotice error={moreError} title="Could not load more people" />
      <MoreButton next={more.next} onMore={(next) => void loadMore(next)} busy={loadingMore} />
    </>
  );
}
