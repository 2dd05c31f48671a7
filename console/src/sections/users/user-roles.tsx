/** A person's admin roles, and assigning another (only a super administrator may). */
import { useState, type FormEvent } from 'react';
import { api, path } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import { DataTable, EmptyState, ErrorNotice, Loading, SelectField, StatusNotice } from '../../components/ui.tsx';
import type { Role, User } from './types.ts';

const roleOptions = [
  { value: 'ORG_ADMIN', label: 'Organization Administrator' },
  { value: 'SUPER_ADMIN', label: 'Super Administrator' },
  { value: 'NETWORK_REVIEWER', label: 'Integration Network Reviewer' },
];

export function UserRolesTab({ user }: { user: User }) {
  const roles = useAsync(() => api.get<Role[]>(path`/api/v1/users/${user.id}/roles`), [user.id]);
  const [type, setType] = useState('ORG_ADMIN');
  const [message, setMessage] = useState<string>();
  const assign = useAction(async () => {
    const role = await api.post<Role>(path`/api/v1/users/${user.id}/roles`, { type });
    setMessage(`${role.label} assigned.`);
    roles.reload();
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMessage(undefined);
    void assign.run();
  };
  return (
    <section aria-labelledby="roles-heading">
      <h2 id="roles-heading">Admin roles</h2>
      <StatusNotice message={message} />
      <ErrorNotice error={roles.error} />
      {roles.loading && !roles.data ? <Loading label="Loading roles…" /> : null}
      {roles.data ? (
        <DataTable caption={`Admin roles of ${user.profile.login}`} rows={roles.data} rowKey={(r) => r.id}
          empty={<EmptyState title="No admin roles: this person administers nothing." />}
          columns={[{ header: 'Role', cell: (r) => r.label }, { header: 'Type', cell: (r) => <code>{r.type}</code> }]} />
      ) : null}
      <h3>Assign a role</h3>
      <ErrorNotice error={assign.error} title="Could not assign the role" />
      <form className="toolbar" onSubmit={submit} aria-label="Assign a role">
        <SelectField label="Role" value={type} onChange={setType} options={roleOptions} />
        <button type="submit" disabled={assign.busy}>Assign role</button>
      </form>
    </section>
  );
}
