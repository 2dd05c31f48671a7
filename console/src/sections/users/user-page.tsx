/** `/admin/users/{id}[/{tab}]`: one person — actions for their status, and tabs for what they have. */
import { NavLink, useLocation, useParams } from 'react-router';
import { api, path } from '../../api.ts';
import { useAsync } from '../../components/async.ts';
import { BackLink, ErrorNotice, Loading, PageHeader, StatusBadge, StatusNotice } from '../../components/ui.tsx';
import { LifecycleActions } from './user-lifecycle.tsx';
import { UserProfileTab } from './user-profile.tsx';
import { UserGroupsTab } from './user-groups.tsx';
import { UserAppsTab } from './user-apps.tsx';
import { UserFactorsTab } from './user-factors.tsx';
import { UserRolesTab } from './user-roles.tsx';
import { displayName, type User } from './types.ts';

const tabs = [
  { path: '', label: 'Profile' },
  { path: 'groups', label: 'Groups' },
  { path: 'apps', label: 'Apps' },
  { path: 'factors', label: 'Factors' },
  { path: 'roles', label: 'Admin roles' },
] as const;

export function UserPage() {
  const { userId = '', tab = '' } = useParams();
  const location = useLocation();
  const arrived = (location.state as { message?: string } | null)?.message;
  const user = useAsync(() => api.get<User>(path`/api/v1/users/${userId}`), [userId]);
  const base = `/users/${encodeURIComponent(userId)}`;
  if (!user.data) {
    return (
      <>
        <BackLink to="/users">People</BackLink>
        <PageHeader title="Person" />
        <ErrorNotice error={user.error} title="Could not load this person" />
        {user.loading ? <Loading label="Loading the person…" /> : null}
      </>
    );
  }
  const u = user.data;
  return (
    <>
      <BackLink to="/users">People</BackLink>
      <PageHeader title={displayName(u)} description={<>{u.profile.login} · <StatusBadge status={u.status} /></>} />
      <StatusNotice message={arrived} />
      <ErrorNotice error={user.error} title="Could not refresh this person" />
      <LifecycleActions user={u} onChanged={user.reload} />
      <nav className="tabs" aria-label="About this person">
        {tabs.map((t) => <NavLink key={t.path} end to={t.path ? `${base}/${t.path}` : base}>{t.label}</NavLink>)}
      </nav>
      {tab === '' ? <UserProfileTab user={u} onSaved={user.reload} /> : null}
      {tab === 'groups' ? <UserGroupsTab user={u} /> : null}
      {tab === 'apps' ? <UserAppsTab user={u} /> : null}
      {tab === 'factors' ? <UserFactorsTab user={u} /> : null}
      {tab === 'roles' ? <UserRolesTab user={u} /> : null}
      {!tabs.some((t) => t.path === tab) ? <ErrorNotice error={new Error(`There is no “${tab}” tab.`)} /> : null}
    </>
  );
}
