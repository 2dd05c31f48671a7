/** `/admin/apps/{id}/{tab}`: one app, its tabs linked so each has its own address. */
import './apps.css';
import { NavLink, useParams } from 'react-router';
import { api, path } from '../../api.ts';
import { useAsync } from '../../components/async.ts';
import { BackLink, ErrorNotice, Loading, PageHeader, StatusBadge } from '../../components/ui.tsx';
import { AccessRequestsTab } from './AccessRequestsTab.tsx';
import { AssignmentsTab } from './AssignmentsTab.tsx';
import { GeneralTab } from './GeneralTab.tsx';
import { ProvisioningTab } from './ProvisioningTab.tsx';
import { SignOnTab } from './SignOnTab.tsx';
import { modeLabel, type App } from './types.ts';

const tabs = [
  { path: 'general', label: 'General' },
  { path: 'sign-on', label: 'Sign on' },
  { path: 'assignments', label: 'Assignments' },
  { path: 'provisioning', label: 'Provisioning' },
  { path: 'access-requests', label: 'Access requests' },
] as const;

export function AppPage() {
  const { appId = '', tab = 'general' } = useParams();
  const app = useAsync(() => api.get<App>(path`/api/v1/apps/${appId}`), [appId]);
  const current = tabs.find((t) => t.path === tab) ?? tabs[0];
  const base = `/apps/${encodeURIComponent(appId)}`;
  return (
    <div className="stack">
      <BackLink to="/apps">Applications</BackLink>
      <ErrorNotice error={app.error} title="The app could not be loaded" />
      {!app.data ? (app.loading ? <Loading /> : null) : (
        <>
          <PageHeader title={app.data.label} description={<>{modeLabel(app.data.signOnMode)} · <StatusBadge status={app.data.status} /></>} />
          <nav aria-label="App settings">
            <ul className="tabs app-tabs">
              {tabs.map((t) => (
                <li key={t.path}>
                  <NavLink to={`${base}/${t.path}`} aria-current={t.path === current.path ? 'page' : undefined} className={t.path === current.path ? 'active' : ''}>{t.label}</NavLink>
                </li>
              ))}
            </ul>
          </nav>
          <section aria-labelledby="tab-heading">
            <h2 id="tab-heading">{current.label}</h2>
            {current.path === 'general' ? <GeneralTab app={app.data} onChange={app.reload} /> : null}
            {current.path === 'sign-on' ? <SignOnTab app={app.data} onChange={app.reload} /> : null}
            {current.path === 'assignments' ? <AssignmentsTab app={app.data} /> : null}
            {current.path === 'provisioning' ? <ProvisioningTab app={app.data} /> : null}
            {current.path === 'access-requests' ? <AccessRequestsTab app={app.data} /> : null}
          </section>
        </>
      )}
    </div>
  );
}
