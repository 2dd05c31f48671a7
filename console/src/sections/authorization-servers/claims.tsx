import { useState, type FormEvent } from 'react';
import { api, path } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import { CheckboxField, ConfirmButton, DataTable, ErrorNotice, Loading, SelectField, StatusBadge, StatusNotice, TextField } from '../../components/ui.tsx';
import { listOf, type OAuthClaim } from './types.ts';

function ClaimForm({ serverId, claim, onSaved, onCancel }: { serverId: string; claim?: OAuthClaim; onSaved: (c: OAuthClaim) => void; onCancel?: () => void }) {
  const [name, setName] = useState(claim?.name ?? '');
  const [claimType, setClaimType] = useState<string>(claim?.claimType ?? 'RESOURCE');
  const [valueType, setValueType] = useState<string>(claim?.valueType ?? 'EXPRESSION');
  const [value, setValue] = useState(claim?.value ?? '');
  const [filterType, setFilterType] = useState<string>(claim?.group_filter_type ?? 'STARTS_WITH');
  const [scopes, setScopes] = useState((claim?.conditions.scopes ?? []).join(', '));
  const [active, setActive] = useState((claim?.status ?? 'ACTIVE') === 'ACTIVE');
  const base = path`/api/v1/authorizationServers/${serverId}/claims`;
  const save = useAction((body: unknown) => claim ? api.put<OAuthClaim>(`${base}/${encodeURIComponent(claim.id)}`, body) : api.post<OAuthClaim>(base, body));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const saved = await save.run({
      name, claimType, valueType, value, status: active ? 'ACTIVE' : 'INACTIVE', alwaysIncludeInToken: true,
      ...(valueType === 'GROUPS' ? { group_filter_type: filterType } : {}),
      conditions: { scopes: listOf(scopes) },
    });
    if (saved) {
      onSaved(saved);
      if (!claim) { setName(''); setValue(''); setScopes(''); }
    }
  };
  const title = claim ? `Edit claim ${claim.name}` : 'Add a claim';
  return (
    <form className="card stack" onSubmit={(e) => void submit(e)} aria-label={title}>
      <h3>{title}</h3>
      <ErrorNotice error={save.error} title="The claim was not saved" />
      <div className="toolbar">
        <TextField label="Claim name" value={name} onChange={setName} required />
        <SelectField label="Include in" value={claimType} onChange={setClaimType}
          options={[{ value: 'RESOURCE', label: 'Access token' }, { value: 'IDENTITY', label: 'ID token' }]} />
        <SelectField label="Value type" value={valueType} onChange={setValueType}
          options={[{ value: 'EXPRESSION', label: 'Expression' }, { value: 'GROUPS', label: 'Groups' }]} />
        {valueType === 'GROUPS' ? (
          <SelectField label="Group filter" value={filterType} onChange={setFilterType} options={[
            { value: 'STARTS_WITH', label: 'Starts with' }, { value: 'EQUALS', label: 'Equals' },
            { value: 'CONTAINS', label: 'Contains' }, { value: 'REGEX', label: 'Matches regex' },
          ]} />
        ) : null}
      </div>
      <TextField label={valueType === 'GROUPS' ? 'Group name filter' : 'Value expression'} value={value} onChange={setValue} required
        hint={valueType === 'GROUPS' ? 'Groups whose names match go into the claim.' : 'An expression such as user.department or String.toUpperCase(user.login); checked when saved.'} />
      <TextField label="Only for scopes" value={scopes} onChange={setScopes} hint="Comma-separated; empty means any scope." />
      <CheckboxField label="Active" checked={active} onChange={setActive} />
      <div className="actions">
        <button type="submit" className="primary" disabled={save.busy}>{save.busy ? 'Saving…' : claim ? 'Save claim' : 'Add claim'}</button>
        {onCancel ? <button type="button" onClick={onCancel}>Cancel</button> : null}
      </div>
    </form>
  );
}

export function ClaimsTab({ serverId }: { serverId: string }) {
  const claims = useAsync(() => api.get<OAuthClaim[]>(path`/api/v1/authorizationServers/${serverId}/claims`), [serverId]);
  const [editing, setEditing] = useState<OAuthClaim | undefined>();
  const [status, setStatus] = useState<string | undefined>();
  const remove = useAction(async (claim: OAuthClaim) => {
    await api.delete(path`/api/v1/authorizationServers/${serverId}/claims/${claim.id}`);
    return claim;
  });
  const saved = (c: OAuthClaim) => {
    setStatus(`Claim ${c.name} saved.`);
    setEditing(undefined);
    claims.reload();
  };
  return (
    <section className="stack" aria-labelledby="claims-heading">
      <h2 id="claims-heading">Claims</h2>
      <StatusNotice message={status} />
      {editing
        ? <ClaimForm key={editing.id} serverId={serverId} claim={editing} onSaved={saved} onCancel={() => setEditing(undefined)} />
        : <ClaimForm serverId={serverId} onSaved={saved} />}
      <ErrorNotice error={claims.error} title="The claims could not be loaded" />
      <ErrorNotice error={remove.error} title="The claim was not deleted" />
      {claims.loading && !claims.data ? <Loading /> : null}
      {claims.data ? (
        <DataTable caption="Claims" rows={claims.data} rowKey={(c) => c.id} columns={[
          { header: 'Name', cell: (c) => <code>{c.name}</code> },
          { header: 'Token', cell: (c) => (c.claimType === 'RESOURCE' ? 'Access token' : 'ID token') },
          { header: 'Value', cell: (c) => <>{c.valueType === 'GROUPS' ? `Groups ${c.group_filter_type?.toLowerCase().replace('_', ' ')} ` : ''}<code>{c.value}</code></> },
          { header: 'Scopes', cell: (c) => c.conditions.scopes.join(', ') || 'Any' },
          { header: 'Status', cell: (c) => <StatusBadge status={c.status} /> },
          {
            header: 'Actions', cell: (c) => (
              <div className="actions">
                <button type="button" onClick={() => setEditing(c)}>Edit<span className="visually-hidden"> claim {c.name}</span></button>
                <ConfirmButton question={`Delete the claim ${c.name}?`} busy={remove.busy}
                  onConfirm={() => void remove.run(c).then((d) => { if (d) { setStatus(`Claim ${d.name} deleted.`); claims.reload(); } })}>
                  Delete<span className="visually-hidden"> claim {c.name}</span>
                </ConfirmButton>
              </div>
            ),
          },
        ]} empty={<p>No custom claims yet.</p>} />
      ) : null}
    </section>
  );
}
