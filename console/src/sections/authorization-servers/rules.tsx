import { useState, type FormEvent } from 'react';
import { api, path } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import { CheckboxField, ConfirmButton, DataTable, EmptyState, ErrorNotice, Loading, StatusBadge, StatusNotice, TextField } from '../../components/ui.tsx';
import { listOf, toggled, type AccessPolicy, type PolicyRule } from './types.ts';

const grantTypes = [
  { value: 'authorization_code', label: 'Authorization code' },
  { value: 'client_credentials', label: 'Client credentials' },
  { value: 'refresh_token', label: 'Refresh token' },
  { value: 'implicit', label: 'Implicit' },
  { value: 'password', label: 'Resource owner password' },
  { value: 'urn:ietf:params:oauth:grant-type:device_code', label: 'Device authorization' },
  { value: 'urn:ietf:params:oauth:grant-type:token-exchange', label: 'Token exchange' },
] as const;

const everyone = 'EVERYONE';

interface Group { readonly id: string; readonly profile: { name: string } }

function RuleForm({ serverId, policyId, rule, onSaved, onCancel }: {
  serverId: string; policyId: string; rule?: PolicyRule; onSaved: (r: PolicyRule) => void; onCancel?: () => void;
}) {
  const groups = useAsync(() => api.get<Group[]>('/api/v1/groups?limit=200'), []);
  const [name, setName] = useState(rule?.name ?? '');
  const [grants, setGrants] = useState<string[]>(rule?.conditions.grantTypes.include ?? ['authorization_code']);
  const [groupIds, setGroupIds] = useState<string[]>(rule?.conditions.people.groups.include ?? [everyone]);
  const [userIds, setUserIds] = useState((rule?.conditions.people.users.include ?? []).join(', '));
  const [scopes, setScopes] = useState((rule?.conditions.scopes.include ?? ['*']).join(' '));
  const token = rule?.actions.token;
  const [access, setAccess] = useState(String(token?.accessTokenLifetimeMinutes ?? 60));
  const [refresh, setRefresh] = useState(String(token?.refreshTokenLifetimeMinutes ?? 0));
  const [refreshWindow, setRefreshWindow] = useState(String(token?.refreshTokenWindowMinutes ?? 10080));
  const base = path`/api/v1/authorizationServers/${serverId}/policies/${policyId}/rules`;
  const save = useAction((body: unknown) => rule ? api.put<PolicyRule>(`${base}/${encodeURIComponent(rule.id)}`, body) : api.post<PolicyRule>(base, body));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const saved = await save.run({
      type: 'RESOURCE_ACCESS', name,
      conditions: {
        people: { groups: { include: groupIds, exclude: rule?.conditions.people.groups.exclude ?? [] }, users: { include: listOf(userIds), exclude: rule?.conditions.people.users.exclude ?? [] } },
        grantTypes: { include: grants },
        scopes: { include: listOf(scopes) },
      },
      actions: { token: { accessTokenLifetimeMinutes: Number(access), refreshTokenLifetimeMinutes: Number(refresh), refreshTokenWindowMinutes: Number(refreshWindow) } },
    });
    if (saved) {
      onSaved(saved);
      if (!rule) setName('');
    }
  };
  const title = rule ? `Edit rule ${rule.name}` : 'Add a rule';
  return (
    <form className="card stack" onSubmit={(e) => void submit(e)} aria-label={title}>
      <h4>{title}</h4>
      <ErrorNotice error={save.error} title="The rule was not saved" />
      <TextField label="Rule name" value={name} onChange={setName} required />
      <fieldset>
        <legend>Grant types</legend>
        {grantTypes.map((g) => <CheckboxField key={g.value} label={g.label} checked={grants.includes(g.value)} onChange={(on) => setGrants((l) => toggled(l, g.value, on))} />)}
      </fieldset>
      <fieldset>
        <legend>People</legend>
        <CheckboxField label="Everyone" checked={groupIds.includes(everyone)} onChange={(on) => setGroupIds((l) => toggled(l, everyone, on))} />
        <ErrorNotice error={groups.error} title="The groups could not be loaded" />
        {groups.data?.filter((g) => g.profile.name !== 'Everyone').map((g) => (
          <CheckboxField key={g.id} label={`Group ${g.profile.name}`} checked={groupIds.includes(g.id)} onChange={(on) => setGroupIds((l) => toggled(l, g.id, on))} />
        ))}
        <TextField label="Users (ids)" value={userIds} onChange={setUserIds} hint="Comma-separated user ids, in addition to the groups." />
      </fieldset>
      <TextField label="Scopes granted" value={scopes} onChange={setScopes} required hint="Space- or comma-separated scope names; * allows every scope." />
      <div className="toolbar">
        <TextField label="Access token lifetime (minutes)" type="number" value={access} onChange={setAccess} hint="5 to 1440." />
        <TextField label="Refresh token lifetime (minutes)" type="number" value={refresh} onChange={setRefresh} hint="0 means unlimited." />
        <TextField label="Refresh token unused for at most (minutes)" type="number" value={refreshWindow} onChange={setRefreshWindow} />
      </div>
      <div className="actions">
        <button type="submit" className="primary" disabled={save.busy}>{save.busy ? 'Saving…' : rule ? 'Save rule' : 'Add rule'}</button>
        {onCancel ? <button type="button" onClick={onCancel}>Cancel</button> : null}
      </div>
    </form>
  );
}

export function RulesPanel({ serverId, policy }: { serverId: string; policy: AccessPolicy }) {
  const rules = useAsync(() => api.get<PolicyRule[]>(path`/api/v1/authorizationServers/${serverId}/policies/${policy.id}/rules`), [serverId, policy.id]);
  const [editing, setEditing] = useState<PolicyRule | undefined>();
  const [status, setStatus] = useState<string | undefined>();
  const remove = useAction(async (rule: PolicyRule) => {
    await api.delete(path`/api/v1/authorizationServers/${serverId}/policies/${policy.id}/rules/${rule.id}`);
    return rule;
  });
  const saved = (r: PolicyRule) => {
    setStatus(`Rule ${r.name} saved.`);
    setEditing(undefined);
    rules.reload();
  };
  return (
    <section className="panel stack" aria-labelledby="rules-heading">
      <h3 id="rules-heading">Rules of {policy.name}</h3>
      <StatusNotice message={status} />
      <ErrorNotice error={rules.error} title="The rules could not be loaded" />
      <ErrorNotice error={remove.error} title="The rule was not deleted" />
      {rules.loading && !rules.data ? <Loading /> : null}
      {rules.data ? (
        <DataTable caption={`Rules of ${policy.name}`} rows={rules.data} rowKey={(r) => r.id}
          empty={<EmptyState title="No rules yet">Add one below: a policy without rules issues no tokens.</EmptyState>}
          columns={[
            { header: 'Priority', cell: (r) => r.priority },
            { header: 'Name', cell: (r) => r.name },
            { header: 'Grant types', cell: (r) => r.conditions.grantTypes.include.map((g) => grantTypes.find((x) => x.value === g)?.label ?? g).join(', ') },
            { header: 'Scopes', cell: (r) => r.conditions.scopes.include.join(' ') },
            { header: 'Access token', cell: (r) => `${r.actions.token.accessTokenLifetimeMinutes} min` },
            { header: 'Status', cell: (r) => <StatusBadge status={r.status} /> },
            {
              header: 'Actions', cell: (r) => (
                <div className="actions">
                  <button type="button" onClick={() => setEditing(r)}>Edit<span className="visually-hidden"> rule {r.name}</span></button>
                  <ConfirmButton question={`Delete the rule ${r.name}?`} busy={remove.busy}
                    onConfirm={() => void remove.run(r).then((d) => { if (d) { setStatus(`Rule ${d.name} deleted.`); rules.reload(); } })}>
                    Delete<span className="visually-hidden"> rule {r.name}</span>
                  </ConfirmButton>
                </div>
              ),
            },
          ]} />
      ) : null}
      {editing
        ? <RuleForm key={editing.id} serverId={serverId} policyId={policy.id} rule={editing} onSaved={saved} onCancel={() => setEditing(undefined)} />
        : <RuleForm serverId={serverId} policyId={policy.id} onSaved={saved} />}
    </section>
  );
}
