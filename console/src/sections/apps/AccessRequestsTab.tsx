/** The Access requests tab: whether people may ask for the app, who approves, and what approval does. */
import { useEffect, useState, type FormEvent } from 'react';
import { api, path } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import { CheckboxField, ErrorNotice, Loading, SelectField, StatusNotice } from '../../components/ui.tsx';
import type { App, Group } from './types.ts';

interface Settings {
  requestable: boolean;
  approver: { type: 'ADMIN' } | { type: 'GROUP_OWNERS'; groupId: string };
  onApproval: { type: 'ASSIGN_USER' } | { type: 'ADD_TO_GROUP'; groupId: string };
}

export function AccessRequestsTab({ app }: { app: App }) {
  const current = useAsync(() => api.get<Settings>(path`/api/v1/apps/${app.id}/access-request-settings`), [app.id]);
  const groups = useAsync(() => api.get<Group[]>('/api/v1/groups?limit=200'), []);
  const [requestable, setRequestable] = useState(false);
  const [approver, setApprover] = useState('ADMIN');
  const [approverGroup, setApproverGroup] = useState('');
  const [onApproval, setOnApproval] = useState('ASSIGN_USER');
  const [approvalGroup, setApprovalGroup] = useState('');
  const [message, setMessage] = useState<string>();
  useEffect(() => {
    const s = current.data;
    if (!s) return;
    setRequestable(s.requestable);
    setApprover(s.approver.type);
    setApproverGroup('groupId' in s.approver ? s.approver.groupId : '');
    setOnApproval(s.onApproval.type);
    setApprovalGroup('groupId' in s.onApproval ? s.onApproval.groupId : '');
  }, [current.data]);
  const groupOptions = (groups.data ?? []).map((g) => ({ value: g.id, label: g.profile.name }));
  const firstGroup = groupOptions[0]?.value ?? '';
  const save = useAction(async () => {
    await api.put(path`/api/v1/apps/${app.id}/access-request-settings`, {
      requestable,
      approver: approver === 'GROUP_OWNERS' ? { type: 'GROUP_OWNERS', groupId: approverGroup || firstGroup } : { type: 'ADMIN' },
      onApproval: onApproval === 'ADD_TO_GROUP' ? { type: 'ADD_TO_GROUP', groupId: approvalGroup || firstGroup } : { type: 'ASSIGN_USER' },
    });
    return true;
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    setMessage(undefined);
    void save.run().then((ok) => { if (ok) { setMessage('Access request settings saved.'); current.reload(); } });
  }

  if (!current.data) return current.error ? <ErrorNotice error={current.error} /> : <Loading />;
  return (
    <form className="card stack" onSubmit={submit} aria-label="Access request settings">
      <StatusNotice message={message} />
      <ErrorNotice error={save.error ?? groups.error} title="The settings could not be saved" />
      <CheckboxField label="People may request this app" checked={requestable} onChange={setRequestable} hint="It appears in the dashboard's app catalog." />
      <SelectField label="Approver" value={approver} onChange={setApprover}
        options={[{ value: 'ADMIN', label: 'An administrator' }, ...(groupOptions.length ? [{ value: 'GROUP_OWNERS', label: 'The owners of a group' }] : [])]} />
      {approver === 'GROUP_OWNERS' ? <SelectField label="Approving group" value={approverGroup || firstGroup} onChange={setApproverGroup} options={groupOptions} /> : null}
      <SelectField label="On approval" value={onApproval} onChange={setOnApproval}
        options={[{ value: 'ASSIGN_USER', label: 'Assign the person to the app' }, ...(groupOptions.length ? [{ value: 'ADD_TO_GROUP', label: 'Add the person to a group' }] : [])]} />
      {onApproval === 'ADD_TO_GROUP' ? <SelectField label="Group to add to" value={approvalGroup || firstGroup} onChange={setApprovalGroup} options={groupOptions} /> : null}
      <p><button type="submit" className="primary" disabled={save.busy}>Save</button></p>
    </form>
  );
}
