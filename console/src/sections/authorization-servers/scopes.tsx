import { useState, type FormEvent } from 'react';
import { api, path } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import { CheckboxField, ConfirmButton, DataTable, ErrorNotice, Loading, SelectField, StatusNotice, TextField } from '../../components/ui.tsx';
import type { OAuthScope } from './types.ts';

function ScopeForm({ serverId, scope, onSaved, onCancel }: { serverId: string; scope?: OAuthScope; onSaved: (s: OAuthScope) => void; onCancel?: () => void }) {
  const [name, setName] = useState(scope?.name ?? '');
  const [displayName, setDisplayName] = useState(scope?.displayName ?? '');
  const [description, setDescription] = useState(scope?.description ?? '');
  const [consent, setConsent] = useState<string>(scope?.consent ?? 'IMPLICIT');
  const [isDefault, setDefault] = useState(scope?.default ?? false);
  const [publish, setPublish] = useState(scope?.metadataPublish === 'ALL_CLIENTS');
  const base = path`/api/v1/authorizationServers/${serverId}/scopes`;
  const save = useAction((body: unknown) => scope ? api.put<OAuthScope>(`${base}/${encodeURIComponent(scope.id)}`, body) : api.post<OAuthScope>(base, body));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const saved = await save.run({
      name, displayName: displayName || null, description: description || null, consent, default: isDefault,
      metadataPublish: publish ? 'ALL_CLIENTS' : 'NO_CLIENTS',
    });
    if (saved) {
      onSaved(saved);
      if (!scope) { setName(''); setDisplayName(''); setDescription(''); setDefault(false); setPublish(false); }
    }
  };
  const title = scope ? `Edit scope ${scope.name}` : 'Add a scope';
  return (
    <form className="card stack" onSubmit={(e) => void submit(e)} aria-label={title}>
      <h3>{title}</h3>
      <ErrorNotice error={save.error} title="The scope was not saved" />
      <div className="toolbar">
        <TextField label="Scope name" value={name} onChange={setName} required hint="e.g. orders:read" />
        <TextField label="Display name" value={displayName} onChange={setDisplayName} />
        <TextField label="Scope description" value={description} onChange={setDescription} />
        <SelectField label="User consent" value={consent} onChange={setConsent}
          options={[{ value: 'IMPLICIT', label: 'Not asked' }, { value: 'REQUIRED', label: 'Required' }, { value: 'FLEXIBLE', label: 'Flexible' }]} />
      </div>
      <CheckboxField label="Granted when a client asks for no scopes (default scope)" checked={isDefault} onChange={setDefault} />
      <CheckboxField label="Listed in the server's metadata" checked={publish} onChange={setPublish} />
      <div className="actions">
        <button type="submit" className="primary" disabled={save.busy}>{save.busy ? 'Saving…' : scope ? 'Save scope' : 'Add scope'}</button>
        {onCancel ? <button type="button" onClick={onCancel}>Cancel</button> : null}
      </div>
    </form>
  );
}

export function ScopesTab({ serverId }: { serverId: string }) {
  const scopes = useAsync(() => api.get<OAuthScope[]>(path`/api/v1/authorizationServers/${serverId}/scopes?limit=200`), [serverId]);
  const [editing, setEditing] = useState<OAuthScope | undefined>();
  const [status, setStatus] = useState<string | undefined>();
  const remove = useAction(async (scope: OAuthScope) => {
    await api.delete(path`/api/v1/authorizationServers/${serverId}/scopes/${scope.id}`);
    return scope;
  });
  const saved = (s: OAuthScope) => {
    setStatus(`Scope ${s.name} saved.`);
    setEditing(undefined);
    scopes.reload();
  };
  return (
    <section className="stack" aria-labelledby="scopes-heading">
      <h2 id="scopes-heading">Scopes</h2>
      <StatusNotice message={status} />
      {editing
        ? <ScopeForm key={editing.id} serverId={serverId} scope={editing} onSaved={saved} onCancel={() => setEditing(undefined)} />
        : <ScopeForm serverId={serverId} onSaved={saved} />}
      <ErrorNotice error={scopes.error} title="The scopes could not be loaded" />
      <ErrorNotice error={remove.error} title="The scope was not deleted" />
      {scopes.loading && !scopes.data ? <Loading /> : null}
      {scopes.data ? (
        <DataTable caption="Scopes" rows={scopes.data} rowKey={(s) => s.id} columns={[
          { header: 'Name', cell: (s) => <code>{s.name}</code> },
          { header: 'Description', cell: (s) => s.description ?? s.displayName ?? '' },
          { header: 'Kind', cell: (s) => (s.system ? 'System' : s.default ? 'Custom, default' : 'Custom') },
          {
            header: 'Actions', cell: (s) => (
              <div className="actions">
                <button type="button" onClick={() => setEditing(s)}>Edit<span className="visually-hidden"> scope {s.name}</span></button>
                {s.system ? null : (
                  <ConfirmButton question={`Delete the scope ${s.name}?`} busy={remove.busy}
                    onConfirm={() => void remove.run(s).then((d) => { if (d) { setStatus(`Scope ${d.name} deleted.`); scopes.reload(); } })}>
                    Delete<span className="visually-hidden"> scope {s.name}</span>
                  </ConfirmButton>
                )}
              </div>
            ),
          },
        ]} />
      ) : null}
    </section>
  );
}
