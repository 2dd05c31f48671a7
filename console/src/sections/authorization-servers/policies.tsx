import { useState, type FormEvent } from 'react';
import { api, path } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import { CheckboxField, ConfirmButton, DataTable, EmptyState, ErrorNotice, Loading, StatusBadge, StatusNotice, TextField } from '../../components/ui.tsx';
import { toggled, type AccessPolicy } from './types.ts';
import { RulesPanel } from './rules.tsx';

interface OidcApp {
  readonly id: string;
  readonly label: string;
  readonly signOnMode: string;
  readonly credentials?: { oauthClient?: { client_id?: string } };
}

/** The OAuth clients of the org: its OpenID Connect apps, by client id. */
export function useClients() {
  return useAsync(async () => {
    const apps = await api.get<OidcApp[]>('/api/v1/apps?limit=200');
    return apps.filter((a) => a.signOnMode === 'OPENID_CONNECT' && a.credentials?.oauthClient?.client_id)
      .map((a) => ({ clientId: a.credentials!.oauthClient!.client_id!, label: a.label }));
  }, []);
}

const allClients = 'ALL_CLIENTS';

function PolicyForm({ serverId, policy, onSaved, onCancel }: {
  serverId: string; policy?: AccessPolicy; onSaved: (p: AccessPolicy) => void; onCancel?: () => void;
}) {
  const clients = useClients();
  const [name, setName] = useState(policy?.name ?? '');
  const [description, setDescription] = useState(policy?.description ?? '');
  const [include, setInclude] = useState<string[]>(policy?.conditions.clients.include ?? [allClients]);
  const base = path`/api/v1/authorizationServers/${serverId}/policies`;
  const save = useAction((body: unknown) => policy ? api.put<AccessPolicy>(`${base}/${encodeURIComponent(policy.id)}`, body) : api.post<AccessPolicy>(base, body));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const saved = await save.run({ type: 'OAUTH_AUTHORIZATION_POLICY', name, description, conditions: { clients: { include } } });
    if (saved) {
      onSaved(saved);
      if (!policy) { setName(''); setDescription(''); setInclude([allClients]); }
    }
  };
  const title = policy ? `Edit policy ${policy.name}` : 'Add an access policy';
  const everyClient = include.includes(allClients);
  return (
    <form className="card stack" onSubmit={(e) => void submit(e)} aria-label={title}>
      <h3>{title}</h3>
      <ErrorNotice error={save.error} title="The policy was not saved" />
      <div className="toolbar">
        <TextField label="Policy name" value={name} onChange={setName} required />
        <TextField label="Policy description" value={description} onChange={setDescription} />
      </div>
      <fieldset>
        <legend>Assigned clients</legend>
        <CheckboxField label="All clients" checked={everyClient} onChange={(on) => setInclude(on ? [allClients] : [])} />
        {!everyClient ? (
          <>
            <ErrorNotice error={clients.error} title="The clients could not be loaded" />
            {clients.loading && !clients.data ? <Loading label="Loading clients…" /> : null}
            {clients.data?.length === 0 ? <p className="hint">The org has no OpenID Connect apps yet.</p> : null}
            {clients.data?.map((c) => (
              <CheckboxField key={c.clientId} label={`${c.label} (${c.clientId})`} checked={include.includes(c.clientId)}
                onChange={(on) => setInclude((list) => toggled(list, c.clientId, on))} />
            ))}
          </>
        ) : null}
      </fieldset>
      <div className="actions">
        <button type="submit" className="primary" disabled={save.busy}>{save.busy ? 'Saving…' : policy ? 'Save policy' : 'Add policy'}</button>
        {onCancel ? <button type="button" onClick={onCancel}>Cancel</button> : null}
      </div>
    </form>
  );
}

export function PoliciesTab({ serverId }: { serverId: string }) {
  const policies = useAsync(() => api.get<AccessPolicy[]>(path`/api/v1/authorizationServers/${serverId}/policies`), [serverId]);
  const clients = useClients();
  const [editing, setEditing] = useState<AccessPolicy | undefined>();
  const [open, setOpen] = useState<string | undefined>();
  const [status, setStatus] = useState<string | undefined>();
  const act = useAction(async (policy: AccessPolicy, operation: 'activate' | 'deactivate' | 'delete') => {
    const url = path`/api/v1/authorizationServers/${serverId}/policies/${policy.id}`;
    if (operation === 'delete') await api.delete(url);
    else await api.post(`${url}/lifecycle/${operation}`);
    return `Policy ${policy.name} ${operation === 'delete' ? 'deleted' : `${operation}d`}.`;
  });
  const done = (message: string | undefined) => {
    if (message) { setStatus(message); policies.reload(); }
  };
  const clientName = (id: string) => (id === allClients ? 'All clients' : clients.data?.find((c) => c.clientId === id)?.label ?? id);
  const saved = (p: AccessPolicy) => {
    setStatus(`Policy ${p.name} saved.`);
    setEditing(undefined);
    setOpen(p.id);
    policies.reload();
  };
  const selected = policies.data?.find((p) => p.id === open);
  return (
    <section className="stack" aria-labelledby="policies-heading">
      <h2 id="policies-heading">Access policies</h2>
      <p className="hint">A policy applies to some clients; its rules say who gets tokens, for which grant types and scopes, and for how long.</p>
      <StatusNotice message={status} />
      {editing
        ? <PolicyForm key={editing.id} serverId={serverId} policy={editing} onSaved={saved} onCancel={() => setEditing(undefined)} />
        : <PolicyForm serverId={serverId} onSaved={saved} />}
      <ErrorNotice error={policies.error} title="The policies could not be loaded" />
      <ErrorNotice error={act.error} title="That did not work" />
      {policies.loading && !policies.data ? <Loading /> : null}
      {policies.data ? (
        <DataTable caption="Access policies" rows={policies.data} rowKey={(p) => p.id}
          empty={<EmptyState title="No access policies yet">Without a policy this server issues no tokens.</EmptyState>}
          columns={[
            { header: 'Priority', cell: (p) => p.priority },
            { header: 'Name', cell: (p) => p.name },
            { header: 'Clients', cell: (p) => p.conditions.clients.include.map(clientName).join(', ') },
            { header: 'Status', cell: (p) => <StatusBadge status={p.status} /> },
            {
              header: 'Actions', cell: (p) => (
                <div className="actions">
                  <button type="button" aria-pressed={open === p.id} onClick={() => setOpen(open === p.id ? undefined : p.id)}>
                    Rules<span className="visually-hidden"> of policy {p.name}</span>
                  </button>
                  <button type="button" onClick={() => setEditing(p)}>Edit<span className="visually-hidden"> policy {p.name}</span></button>
                  {p.status === 'ACTIVE'
                    ? <button type="button" disabled={act.busy} onClick={() => void act.run(p, 'deactivate').then(done)}>Deactivate<span className="visually-hidden"> policy {p.name}</span></button>
                    : <button type="button" disabled={act.busy} onClick={() => void act.run(p, 'activate').then(done)}>Activate<span className="visually-hidden"> policy {p.name}</span></button>}
                  <ConfirmButton question={`Delete the policy ${p.name} and its rules?`} busy={act.busy}
                    onConfirm={() => void act.run(p, 'delete').then(done)}>Delete<span className="visually-hidden"> policy {p.name}</span></ConfirmButton>
                </div>
              ),
            },
          ]} />
      ) : null}
      {selected ? <RulesPanel key={selected.id} serverId={serverId} policy={selected} /> : null}
    </section>
  );
}

