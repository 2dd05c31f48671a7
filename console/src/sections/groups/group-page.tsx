/** `/admin/groups/{id}`: a group's name and description, its members, owners and apps. */
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { api, path } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import { BackLink, ConfirmButton, ErrorNotice, Loading, PageHeader, StatusNotice, TextField } from '../../components/ui.tsx';
import type { Group } from '../users/types.ts';
import { GroupMembers } from './group-members.tsx';
import { GroupOwners } from './group-owners.tsx';
import { GroupApps } from './group-apps.tsx';

export function GroupPage() {
  const { groupId = '' } = useParams();
  const arrived = (useLocation().state as { message?: string } | null)?.message;
  const navigate = useNavigate();
  const group = useAsync(() => api.get<Group>(path`/api/v1/groups/${groupId}`), [groupId]);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [message, setMessage] = useState<string>();
  useEffect(() => {
    if (!group.data) return;
    setName(group.data.profile.name);
    setDescription(group.data.profile.description ?? '');
  }, [group.data]);
  const save = useAction(async () => {
    await api.put(path`/api/v1/groups/${groupId}`, { profile: { name, description } });
    setMessage('Group saved.');
    group.reload();
  });
  const remove = useAction(async () => {
    await api.delete(path`/api/v1/groups/${groupId}`);
    void navigate('/groups', { state: { message: `Group ${group.data?.profile.name ?? ''} was deleted.` } });
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMessage(undefined);
    void save.run();
  };
  if (!group.data) {
    return (
      <>
        <BackLink to="/groups">Groups</BackLink>
        <PageHeader title="Group" />
        <ErrorNotice error={group.error} title="Could not load this group" />
        {group.loading ? <Loading label="Loading the group…" /> : null}
      </>
    );
  }
  const builtIn = group.data.type === 'BUILT_IN';
  return (
    <>
      <BackLink to="/groups">Groups</BackLink>
      <PageHeader title={group.data.profile.name} description={group.data.profile.description ?? undefined}
        actions={builtIn ? undefined : (
          <ConfirmButton question="Delete this group? Its members stay; the apps given through it are taken away." busy={remove.busy}
            onConfirm={() => void remove.run()}>Delete group</ConfirmButton>
        )} />
      <StatusNotice message={message ?? arrived} />
      <ErrorNotice error={remove.error} title="Could not delete the group" />
      {builtIn ? <p className="notice info">Everyone in the organisation belongs to this built-in group; it cannot be changed.</p> : (
        <section aria-labelledby="details-heading">
          <h2 id="details-heading">Details</h2>
          <ErrorNotice error={save.error} title="Could not save the group" />
          <form className="stack card" onSubmit={submit} noValidate aria-labelledby="details-heading">
            <TextField label="Group name" value={name} onChange={setName} required autoComplete="off" />
            <TextField label="Description" value={description} onChange={setDescription} autoComplete="off" />
            <div className="actions"><button type="submit" className="primary" disabled={save.busy}>Save group</button></div>
          </form>
        </section>
      )}
      <GroupMembers group={group.data} />
      <GroupOwners group={group.data} />
      <GroupApps group={group.data} />
      <p><Link to="/groups">Back to all groups</Link></p>
    </>
  );
}
