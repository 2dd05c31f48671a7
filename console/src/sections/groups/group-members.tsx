/** A group's members: paged, added by searching people, removed one at a time. */
import { useState } from 'react';
import { Link } from 'react-router';
import { api, path } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import { ConfirmButton, DataTable, EmptyState, ErrorNotice, Loading, MoreButton, StatusBadge, StatusNotice } from '../../components/ui.tsx';
import { Picker } from '../users/picker.tsx';
import { displayName, type Group, type User } from '../users/types.ts';

/** People whose name or email starts with `q`, for the pickers. */
export const findPeople = async (q: string) => api.get<User[]>(`/api/v1/users?${new URLSearchParams({ ...(q ? { q } : {}), limit: '20' }).toString()}`);

export function GroupMembers({ group }: { group: Group }) {
  const [message, setMessage] = useState<string>();
  const [extra, setExtra] = useState<{ rows: User[]; next: string | undefined }>({ rows: [], next: undefined });
  const members = useAsync(async () => {
    const page = await api.page<User>(path`/api/v1/groups/${group.id}/users` + '?limit=50');
    setExtra({ rows: [], next: page.next });
    return page.data;
  }, [group.id]);
  const more = useAction(async (next: string) => {
    const page = await api.page<User>(next);
    setExtra((e) => ({ rows: [...e.rows, ...page.data], next: page.next }));
  });
  const remove = useAction(async (user: User) => {
    await api.delete(path`/api/v1/groups/${group.id}/users/${user.id}`);
    setMessage(`${displayName(user)} was removed from the group.`);
    members.reload();
  });
  const rows = [...(members.data ?? []), ...extra.rows];
  const ids = new Set(rows.map((u) => u.id));
  const builtIn = group.type === 'BUILT_IN';
  return (
    <section aria-labelledby="members-heading">
      <h2 id="members-heading">Members</h2>
      <StatusNotice message={message} />
      <ErrorNotice error={members.error ?? remove.error ?? more.error} />
      {members.loading && !members.data ? <Loading label="Loading members…" /> : null}
      {members.data ? (
        <DataTable caption={`Members of ${group.profile.name}`} rows={rows} rowKey={(u) => u.id}
          empty={<EmptyState title="No members yet." />}
          columns={[
            { header: 'Name', cell: (u) => <Link to={path`/users/${u.id}`}>{displayName(u)}</Link> },
            { header: 'Username', cell: (u) => u.profile.login },
            { header: 'Status', cell: (u) => <StatusBadge status={u.status} /> },
            ...(builtIn ? [] : [{ header: 'Actions', cell: (u: User) => (
              <ConfirmButton question={`Remove ${displayName(u)} from the group?`} busy={remove.busy} onConfirm={() => void remove.run(u)}>
                Remove {displayName(u)}
              </ConfirmButton>
            ) }]),
          ]} />
      ) : null}
      <MoreButton next={extra.next} busy={more.busy} onMore={(next) => void more.run(next)} />
      {builtIn ? null : (
        <>
          <h3>Add members</h3>
          <Picker<User> label="Find a person to add" action="Add"
            search={async (q) => (await findPeople(q)).filter((u) => !ids.has(u.id))}
            describe={displayName} keyOf={(u) => u.id}
            onPick={async (u) => {
              await api.put(path`/api/v1/groups/${group.id}/users/${u.id}`, {});
              setMessage(`${displayName(u)} was added to the group.`);
              members.reload();
            }} />
        </>
      )}
    </section>
  );
}
