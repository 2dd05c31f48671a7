/** The apps assigned to a person, directly or through a group (Okta's `filter=user.id eq "…"`). */
import { Link } from 'react-router';
import { api } from '../../api.ts';
import { useAsync } from '../../components/async.ts';
import { DataTable, EmptyState, ErrorNotice, Loading, StatusBadge } from '../../components/ui.tsx';
import type { App, User } from './types.ts';

export function UserAppsTab({ user }: { user: User }) {
  const apps = useAsync(() => api.get<App[]>(`/api/v1/apps?${new URLSearchParams({ filter: `user.id eq "${user.id}"`, limit: '200' }).toString()}`), [user.id]);
  return (
    <section aria-labelledby="apps-heading">
      <h2 id="apps-heading">Apps</h2>
      <ErrorNotice error={apps.error} title="Could not load the apps" />
      {apps.loading && !apps.data ? <Loading label="Loading apps…" /> : null}
      {apps.data ? (
        <DataTable caption={`Apps assigned to ${user.profile.login}`} rows={apps.data} rowKey={(a) => a.id}
          empty={<EmptyState title="No apps assigned.">Assign apps from an app's page, or through a group.</EmptyState>}
          columns={[
            { header: 'App', cell: (a) => <Link to={`/apps/${encodeURIComponent(a.id)}`}>{a.label}</Link> },
            { header: 'Sign-on', cell: (a) => a.signOnMode },
            { header: 'Status', cell: (a) => <StatusBadge status={a.status} /> },
          ]} />
      ) : null}
    </section>
  );
}
