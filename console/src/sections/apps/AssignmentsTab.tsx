/**
 * The Assignments tab: the users and groups assigned to the app. For an SWA app whose scheme
 * leaves credentials to administrators, assigning a user sets them (`credentials` on
 * `POST /api/v1/apps/{id}/users`); the password goes to the vault and never comes back.
 */
import { useState, type FormEvent } from 'react';
import { api, path } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import { ConfirmButton, DataTable, EmptyState, ErrorNotice, Loading, SelectField, StatusNotice, TextField } from '../../components/ui.tsx';
import { adminSets, isSwa, type App, type AppGroup, type AppUser, type Group, type User } from './types.ts';

export function AssignmentsTab({ app }: { app: App }) {
  const [message, setMessage] = useState<string>();
  return (
    <div className="stack">
      <StatusNotice message={message} />
      <UserAssignments app={app} announce={setMessage} />
      <GroupAssignments app={app} announce={setMessage} />
    </div>
  );
}

function UserAssignments({ app, announce }: { app: App; announce: (message: string) => void }) {
  const assigned = useAsync(() => api.get<AppUser[]>(path`/api/v1/apps/${app.id}/users?limit=200`), [app.id]);
  const [q, setQ] = useState('');
  const found = useAsync(() => api.get<User[]>(q.trim() ? path`/api/v1/users?limit=20&q=${q.trim()}` : '/api/v1/users?limit=20'), [q]);
  const [userId, setUserId] = useState('');
  const [userName, setUserName] = useState('');
  const [password, setPassword] = useState('');
  const sets = isSwa(app.signOnMode) ? adminSets(app.credentials?.scheme) : { userName: false, password: false };
  const candidates = (found.data ?? []).filter((u) => !(assigned.data ?? []).some((a) => a.id === u.id));
  const chosen = userId || candidates[0]?.id || '';
  const assign = useAction(async () => {
    const credentials = sets.userName || sets.password
      ? { ...(sets.userName && userName.trim() ? { userName: userName.trim() } : {}), ...(sets.password && password ? { password: { value: password } } : {}) }
      : undefined;
    return api.post<AppUser>(path`/api/v1/apps/${app.id}/users`, { id: chosen, scope: 'USER', ...(credentials ? { credentials } : {}) });
  });
  const unassign = useAction(async (id: string) => { await api.delete(path`/api/v1/apps/${app.id}/users/${id}`); return true; });

  async function submit(e: FormEvent) {
    e.preventDefault();
    const done = await assign.run();
    if (done) {
      announce(`${done.credentials?.userName ?? 'The user'} assigned.`);
      setUserId('');
      setUserName('');
      setPassword('');
      assigned.reload();
    }
  }

  return (
    <section className="card stack" aria-labelledby="assigned-users-heading">
      <h3 id="assigned-users-heading">People</h3>
      <ErrorNotice error={assigned.error ?? unassign.error} />
      {assigned.loading && !assigned.data ? <Loading /> : (
        <DataTable caption="People assigned to the app" rows={assigned.data ?? []} rowKey={(u) => u.id}
          empty={<EmptyState title="Nobody is assigned to this app yet." />}
          columns={[
            { header: 'User name in the app', cell: (u) => u.credentials?.userName ?? '' },
            { header: 'User ID', cell: (u) => <code>{u.id}</code> },
            { header: 'Assigned', cell: (u) => (u.scope === 'GROUP' ? 'through a group' : 'directly') },
            {
              header: 'Actions', cell: (u) => u.scope === 'GROUP' ? null : (
                <ConfirmButton question={`Unassign ${u.credentials?.userName ?? u.id}?`}
                  onConfirm={() => void unassign.run(u.id).then((ok) => { if (ok) { announce('User unassigned.'); assigned.reload(); } })}>Unassign</ConfirmButton>
              ),
            },
          ]} />
      )}
      <form className="stack" onSubmit={(e) => void submit(e)} aria-labelledby="assign-user-heading">
        <h4 id="assign-user-heading">Assign a person</h4>
        <ErrorNotice error={assign.error ?? found.error} title="The person could not be assigned" />
        <div className="toolbar">
          <TextField label="Find people" type="search" value={q} onChange={setQ} />
          {candidates.length ? (
            <SelectField label="Person" value={chosen} onChange={setUserId}
              options={candidates.map((u) => ({ value: u.id, label: `${u.profile.firstName ?? ''} ${u.profile.lastName ?? ''} (${u.profile.login})`.trim() }))} />
          ) : <p className="hint">{found.loading ? 'Searching…' : 'No unassigned person matches.'}</p>}
        </div>
        {sets.userName ? <TextField label="User name in the app" value={userName} onChange={setUserName} autoComplete="off" /> : null}
        {sets.password ? <TextField label="Password in the app" type="password" value={password} onChange={setPassword} autoComplete="new-password" /> : null}
        <p><button type="submit" className="primary" disabled={!chosen || assign.busy}>Assign</button></p>
      </form>
    </section>
  );
}

function GroupAssignments({ app, announce }: { app: App; announce: (message: string) => void }) {
  const assigned = useAsync(() => api.get<AppGroup[]>(path`/api/v1/apps/${app.id}/groups?limit=200`), [app.id]);
  const groups = useAsync(() => api.get<Group[]>('/api/v1/groups?limit=200'), []);
  const [groupId, setGroupId] = useState('');
  const names = new Map((groups.data ?? []).map((g) => [g.id, g.profile.name]));
  const candidates = (groups.data ?? []).filter((g) => !(assigned.data ?? []).some((a) => a.id === g.id));
  const chosen = groupId || candidates[0]?.id || '';
  const assign = useAction(async () => { await api.put(path`/api/v1/apps/${app.id}/groups/${chosen}`, {}); return true; });
  const unassign = useAction(async (id: string) => { await api.delete(path`/api/v1/apps/${app.id}/groups/${id}`); return true; });

  return (
    <section className="card stack" aria-labelledby="assigned-groups-heading">
      <h3 id="assigned-groups-heading">Groups</h3>
      <ErrorNotice error={assigned.error ?? groups.error ?? assign.error ?? unassign.error} />
      {assigned.loading && !assigned.data ? <Loading /> : (
        <DataTable caption="Groups assigned to the app" rows={assigned.data ?? []} rowKey={(g) => g.id}
          empty={<EmptyState title="No group is assigned to this app." />}
          columns={[
            { header: 'Group', cell: (g) => names.get(g.id) ?? g.id },
            {
              header: 'Actions', cell: (g) => (
                <ConfirmButton question={`Unassign ${names.get(g.id) ?? g.id}?`}
                  onConfirm={() => void unassign.run(g.id).then((ok) => { if (ok) { announce('Group unassigned.'); assigned.reload(); } })}>Unassign</ConfirmButton>
              ),
            },
          ]} />
      )}
      {candidates.length ? (
        <form className="toolbar" aria-label="Assign a group"
          onSubmit={(e) => { e.preventDefault(); void assign.run().then((ok) => { if (ok) { announce('Group assigned.'); setGroupId(''); assigned.reload(); } }); }}>
          <SelectField label="Group" value={chosen} onChange={setGroupId} options={candidates.map((g) => ({ value: g.id, label: g.profile.name }))} />
          <button type="submit" disabled={assign.busy}>Assign group</button>
        </form>
      ) : null}
    </section>
  );
}
