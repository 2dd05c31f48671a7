/** `/admin/apps`: the org's apps with their status and sign-on mode. */
import { useState } from 'react';
import { Link } from 'react-router';
import { api, path } from '../../api.ts';
import { useAsync } from '../../components/async.ts';
import { DataTable, EmptyState, ErrorNotice, Loading, MoreButton, PageHeader, StatusBadge, TextField } from '../../components/ui.tsx';
import { modeLabel, type App } from './types.ts';

export function AppsList() {
  const [q, setQ] = useState('');
  const [more, setMore] = useState<{ rows: App[]; next: string | undefined }>({ rows: [], next: undefined });
  const first = useAsync(async () => {
    const page = await api.page<App>(q ? path`/api/v1/apps?limit=50&q=${q}` : '/api/v1/apps?limit=50');
    setMore({ rows: [], next: page.next });
    return page.data;
  }, [q]);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>();
  const rows = [...(first.data ?? []), ...more.rows];

  async function loadMore(next: string) {
    setLoadingMore(true);
    try {
      const page = await api.page<App>(next);
      setMore((m) => ({ rows: [...m.rows, ...page.data], next: page.next }));
    } catch (e) {
      setMoreError(e);
    } finally {
      setLoadingMore(false);
    }
  }

  return (
    <div className="stack">
      <PageHeader title="Applications" description="Apps people sign in to through Lanyard."
        actions={<><Link className="button" to="/apps/catalog">Browse catalog</Link><Link className="button primary" to="/apps/new">Create app integration</Link></>} />
      <form className="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
        <TextField label="Search by label" value={q} onChange={setQ} type="search" />
      </form>
      <ErrorNotice error={first.error ?? moreError} title="The apps could not be loaded" />
      {first.loading && !first.data ? <Loading /> : (
        <DataTable caption="Applications" rows={rows} rowKey={(a) => a.id}
          empty={<EmptyState title={q ? 'No app matches that search.' : 'No apps yet.'}>Add one from the catalog or create a custom app integration.</EmptyState>}
          columns={[
            { header: 'Label', cell: (a) => <Link to={`/apps/${encodeURIComponent(a.id)}`}>{a.label}</Link> },
            { header: 'Sign-on mode', cell: (a) => modeLabel(a.signOnMode) },
            { header: 'Status', cell: (a) => <StatusBadge status={a.status} /> },
          ]} />
      )}
      <MoreButton next={more.next} onMore={(n) => void loadMore(n)} busy={loadingMore} />
    </div>
  );
}
