import { useState, type FormEvent } from 'react';
import { NavLink, useNavigate, useParams } from 'react-router';
import { api, path } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import { BackLink, ConfirmButton, ErrorNotice, Loading, PageHeader, SelectField, StatusBadge, StatusNotice, TextField } from '../../components/ui.tsx';
import { listOf, type AuthServer } from './types.ts';
import { ScopesTab } from './scopes.tsx';
import { ClaimsTab } from './claims.tsx';
import { PoliciesTab } from './policies.tsx';
import { KeysTab } from './keys.tsx';

const tabs = [
  { path: '', label: 'Settings' },
  { path: 'scopes', label: 'Scopes' },
  { path: 'claims', label: 'Claims' },
  { path: 'policies', label: 'Access policies' },
  { path: 'keys', label: 'Keys' },
] as const;

function SettingsTab({ server, onChanged }: { server: AuthServer; onChanged: () => void }) {
  const navigate = useNavigate();
  const [name, setName] = useState(server.name);
  const [audience, setAudience] = useState(server.audiences.join(', '));
  const [description, setDescription] = useState(server.description);
  const [rotationMode, setRotationMode] = useState<string>(server.credentials.signing.rotationMode);
  const [status, setStatus] = useState<string | undefined>();
  const base = path`/api/v1/authorizationServers/${server.id}`;
  const save = useAction((body: unknown) => api.put<AuthServer>(base, body));
  const lifecycle = useAction(async (operation: 'activate' | 'deactivate') => {
    await api.post(`${base}/lifecycle/${operation}`);
    return true;
  });
  const remove = useAction(async () => {
    await api.delete(base);
    return true;
  });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setStatus(undefined);
    const saved = await save.run({ name, description, audiences: listOf(audience), credentials: { signing: { rotationMode } } });
    if (saved) {
      setStatus('Server saved.');
      onChanged();
    }
  };
  const setLifecycle = async (operation: 'activate' | 'deactivate') => {
    setStatus(undefined);
    if (await lifecycle.run(operation)) setStatus(operation === 'activate' ? 'Server activated.' : 'Server deactivated.');
    onChanged();
  };
  return (
    <div className="stack">
      <StatusNotice message={status} />
      <section className="card" aria-labelledby="server-settings-heading">
        <h2 id="server-settings-heading">Settings</h2>
        <dl className="facts">
          <dt>Issuer</dt><dd><code>{server.issuer}</code></dd>
          <dt>Metadata</dt><dd><code>{server.issuer}/.well-known/openid-configuration</code></dd>
        </dl>
        <ErrorNotice error={save.error} title="The server was not saved" />
        <form className="stack" onSubmit={(e) => void submit(e)}>
          <TextField label="Name" value={name} onChange={setName} required />
          <TextField label="Audience" value={audience} onChange={setAudience} required hint="Separate several audiences with commas." />
          <TextField label="Description" value={description} onChange={setDescription} />
          <SelectField label="Key rotation" value={rotationMode} onChange={setRotationMode}
            options={[{ value: 'AUTO', label: 'Automatic' }, { value: 'MANUAL', label: 'Manual' }]} />
          <div className="actions"><button type="submit" className="primary" disabled={save.busy}>{save.busy ? 'Saving…' : 'Save server'}</button></div>
        </form>
      </section>
      <section className="card" aria-labelledby="server-status-heading">
        <h2 id="server-status-heading">Status</h2>
        <ErrorNotice error={lifecycle.error} title="The status did not change" />
        <ErrorNotice error={remove.error} title="The server was not deleted" />
        <p>This server is <StatusBadge status={server.status} />. {server.status === 'ACTIVE' ? 'It issues tokens.' : 'It issues no tokens; an inactive server can be deleted.'}</p>
        <div className="actions">
          {server.status === 'ACTIVE'
            ? <ConfirmButton question="Deactivate this server? Its tokens stop being issued." busy={lifecycle.busy} onConfirm={() => void setLifecycle('deactivate')}>Deactivate</ConfirmButton>
            : <button type="button" disabled={lifecycle.busy} onClick={() => void setLifecycle('activate')}>Activate</button>}
          {server.status === 'INACTIVE' && server.id !== 'default'
            ? <ConfirmButton question="Delete this server with its scopes, claims and policies?" busy={remove.busy}
                onConfirm={() => void remove.run().then((done) => { if (done) void navigate('/authorization-servers'); })}>Delete server</ConfirmButton>
            : null}
        </div>
      </section>
    </div>
  );
}

export function AuthorizationServerPage() {
  const { serverId = '', tab = '' } = useParams();
  const server = useAsync(() => api.get<AuthServer>(path`/api/v1/authorizationServers/${serverId}`), [serverId]);
  const base = `/authorization-servers/${encodeURIComponent(serverId)}`;
  const current = tabs.find((t) => t.path === tab);
  return (
    <div className="stack">
      <BackLink to="/authorization-servers">Authorization servers</BackLink>
      <PageHeader title={server.data ? server.data.name : 'Authorization server'}
        description={server.data ? <>Audience {server.data.audiences.join(', ')} · <StatusBadge status={server.data.status} /></> : undefined} />
      <ErrorNotice error={server.error} title="The server could not be loaded" />
      <nav className="tabs" aria-label="Server sections">
        {tabs.map((t) => <NavLink key={t.path} to={t.path ? `${base}/${t.path}` : base} end>{t.label}</NavLink>)}
      </nav>
      {!server.data ? (server.loading ? <Loading /> : null) : !current ? <p>There is no such tab.</p>
        : current.path === '' ? <SettingsTab key={server.data.status + server.data.name} server={server.data} onChanged={server.reload} />
        : current.path === 'scopes' ? <ScopesTab serverId={serverId} />
        : current.path === 'claims' ? <ClaimsTab serverId={serverId} />
        : current.path === 'policies' ? <PoliciesTab serverId={serverId} />
        : <KeysTab serverId={serverId} />}
    </div>
  );
}
