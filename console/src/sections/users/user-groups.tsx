/** The groups a person belongs to: add them to one found by name, take them out of one. */
import { useState } from 'react';
import { Link } from 'react-router';
import { api, path } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import { ConfirmButton, DataTable, EmptyState, ErrorNotice, Loading, StatusNotice } from '../../components/ui.tsx';
import { Picker } from './picker.tsx';
import type { Group, User } from './types.ts';

export function UserGroupsTab({ user }: { user: User }) {
  const groups = useAsync(() => api.get<Group[]>(path`/api/v1/users/${user.id}/groups`), [user.id]);
  const [message, setMessage] = useState<string>();
  const remove = useAction(async (group: Group) => {
    await api.delete(path`/api/v1/groups/${group.id}/users/${user.id}`);
    setMessage(`Removed from ${group.profile.name}.`);
    groups.reload();
  });
  const member = new Set((groups.data ?? []).map((g) => g.id));
  return (
    <section aria-labelledby="groups-heading">
      <h2 id="groups-heading">Groups</h2>
      <StatusNotice message={message} />
      <ErrorNotice error={groups.error ?? remove.error} />
      {groups.loading && !groups.data ? <Loading label="Loading groups…" /> : null}
      {groups.data ? (
        <DataTable caption={`Groups of ${user.profile.login}`} rows={groups.data} rowKey={(g) => g.id}
          empty={<EmptyState title="Not in any group yet." />}
          columns={[
            { header: 'Group', cell: (g) => <Link to={`/groups/${encodeURIComponent(g.id)}`}>{g.profile.name}</Link> },
            { header: 'Description', cell: (g) => g.profile.description ?? '' },
            { header: 'Actions', cell: (g) => g.type === 'BUILT_IN' ? 'Everyone is a member' : (
              <ConfirmButton question={`Remove from ${g.profile.name}?`} busy={remove.busy} onConfirm={() => void remove.run(g)}>Remove from {g.profile.name}</ConfirmButton>
            ) },
          ]} />
      ) : null}
      <h3>Add to a group</h3>
      <Picker<Group> label="Find a group" action="Add to"
        search={async (q) => (await api.get<Group[]>(`/api/v1/groups?${new URLSearchParams({ q, limit: '20' }).toString()}`))
          .filter((g) => g.type !== 'BUILT_IN' && !member.has(g.id))}
        describe={(g) => g.profile.name} keyOf={(g) => g.id}
        onPick={async (g) => {
          await api.put(path`/api/v1/groups/${g.id}/users/${user.id}`, {});
          setMessage(`Added to ${g.profile.name}.`);
          groups.reload();
        }} />
    </section>
  );
}
