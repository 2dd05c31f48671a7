/** The apps assigned to a group (Okta's `filter=group.id eq "…"`); assignments are made on an app's page. */
import { Link } from 'react-router';
import { api, path } from '../../api.ts';
import { useAsync } from '../../components/async.ts';
import { DataTable, EmptyState, ErrorNotice, Loading, StatusBadge } from '../../components/ui.tsx';
import type { App, Group } from '../users/types.ts';

export function GroupApps({ group }: { group: Group }) {
  const apps = useAsync(() => api.get<App[]>(`/api/v1/apps?${new URLSearchParams({ filter: `group.id eq "${group.id}"`, limit: '200' }).toString()}`), [group.id]);
  return (
    <section aria-labelledby="group-apps-heading">
      <h2 id="group-apps-heading">Apps</h2>
      <ErrorNotice error={apps.error} title="Could not load the apps" />
      {apps.loading && !apps.data ? <Loading label="Loading apps…" /> : null}
      {apps.data ? (
        <DataTable caption={`Apps assigned to ${group.profile.name}`} rows={apps.data} rowKey={(a) => a.id}
          empty={<EmptyState title="No apps assigned to this group." />}
          columns={[
            { header: 'App', cell: (a) => <Link to={path`/apps/${a.id}`}>{a.label}</Link> },
            { header: 'Sign-on', cell: (a) => a.signOnMode },
            { header: 'Status', cell: (a) => <StatusBadge status={a.status} /> },
          ]} />
      ) : null}
    </section>
  );
}
