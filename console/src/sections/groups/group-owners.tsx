/** A group's owners: people who answer for it, added by searching people. */
import { useState } from 'react';
import { Link } from 'react-router';
import { api, path } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import { ConfirmButton, DataTable, EmptyState, ErrorNotice, Loading, StatusNotice } from '../../components/ui.tsx';
import { Picker } from '../users/picker.tsx';
import { displayName, type Group, type GroupOwner, type User } from '../users/types.ts';
import { findPeople } from './group-members.tsx';

export function GroupOwners({ group }: { group: Group }) {
  const [message, setMessage] = useState<string>();
  const owners = useAsync(() => api.get<GroupOwner[]>(path`/api/v1/groups/${group.id}/owners`), [group.id]);
  const remove = useAction(async (owner: GroupOwner) => {
    await api.delete(path`/api/v1/groups/${group.id}/owners/${owner.id}`);
    setMessage(`${owner.displayName} is no longer an owner.`);
    owners.reload();
  });
  const ids = new Set((owners.data ?? []).map((o) => o.id));
  return (
    <section aria-labelledby="owners-heading">
      <h2 id="owners-heading">Owners</h2>
      <StatusNotice message={message} />
      <ErrorNotice error={owners.error ?? remove.error} />
      {owners.loading && !owners.data ? <Loading label="Loading owners…" /> : null}
      {owners.data ? (
        <DataTable caption={`Owners of ${group.profile.name}`} rows={owners.data} rowKey={(o) => o.id}
          empty={<EmptyState title="No owners." />}
          columns={[
            { header: 'Owner', cell: (o) => <Link to={path`/users/${o.id}`}>{o.displayName}</Link> },
            { header: 'Actions', cell: (o) => (
              <ConfirmButton question={`Remove ${o.displayName} as owner?`} busy={remove.busy} onConfirm={() => void remove.run(o)}>
                Remove owner {o.displayName}
              </ConfirmButton>
            ) },
          ]} />
      ) : null}
      <h3>Add an owner</h3>
      <Picker<User> label="Find a person to make owner" action="Make owner:"
        search={async (q) => (await findPeople(q)).filter((u) => !ids.has(u.id))}
        describe={displayName} keyOf={(u) => u.id}
        onPick={async (u) => {
          await api.post(path`/api/v1/groups/${group.id}/owners`, { id: u.id, type: 'USER' });
          setMessage(`${displayName(u)} is now an owner.`);
          owners.reload();
        }} />
    </section>
  );
}
