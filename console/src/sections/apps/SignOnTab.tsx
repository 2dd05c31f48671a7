/** The Sign on tab: the settings of the app's sign-on mode, its client secrets or its SAML signing certificate. */
import { useState, type FormEvent } from 'react';
import { api, path } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import { ConfirmButton, DataTable, ErrorNotice, Loading, SelectField, StatusBadge, StatusNotice, TextField } from '../../components/ui.tsx';
import { OnceSecret } from './OnceSecret.tsx';
import { isSwa, swaSchemes, type App } from './types.ts';

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** Saves a change to the app: reads it fresh, applies `change`, puts it back. */
function useSave(app: App, onChange: () => void) {
  const [message, setMessage] = useState<string>();
  const action = useAction(async (change: (current: App) => App) => {
    const current = await api.get<App>(path`/api/v1/apps/${app.id}`);
    await api.put(path`/api/v1/apps/${app.id}`, change(current));
    return true;
  });
  const save = async (change: (current: App) => App) => {
    setMessage(undefined);
    if (await action.run(change)) {
      setMessage('Sign-on settings saved.');
      onChange();
    }
  };
  return { save, message, busy: action.busy, error: action.error };
}

export function SignOnTab({ app, onChange }: { app: App; onChange: () => void }) {
  if (app.signOnMode === 'OPENID_CONNECT') return <OidcSettings app={app} onChange={onChange} />;
  if (app.signOnMode === 'SAML_2_0') return <SamlSettings app={app} onChange={onChange} />;
  if (isSwa(app.signOnMode)) return <SwaSettings app={app} onChange={onChange} />;
  const settings = app.settings?.app ?? {};
  return (
    <dl className="facts card">
      {Object.entries(settings).filter(([, v]) => typeof v === 'string' || typeof v === 'boolean').map(([k, v]) => (
        <div key={k}><dt>{k}</dt><dd>{String(v)}</dd></div>
      ))}
    </dl>
  );
}

function OidcSettings({ app, onChange }: { app: App; onChange: () => void }) {
  const client = app.settings?.oauthClient;
  const [redirects, setRedirects] = useState((client?.redirect_uris ?? []).join('\n'));
  const { save, message, busy, error } = useSave(app, onChange);
  const secrets = useAsync(() => api.get<{ id: string; status: string; created: string }[]>(path`/api/v1/apps/${app.id}/credentials/secrets`), [app.id]);
  const [newSecret, setNewSecret] = useState<string>();
  const rotate = useAction(async () => api.post<{ client_secret: string }>(path`/api/v1/apps/${app.id}/credentials/secrets`, {}));
  const change = useAction(async (id: string, operation: 'activate' | 'deactivate' | 'delete') => {
    if (operation === 'delete') await api.delete(path`/api/v1/apps/${app.id}/credentials/secrets/${id}`);
    else await api.post(path`/api/v1/apps/${app.id}/credentials/secrets/${id}/lifecycle/${operation}`);
    return true;
  });
  const confidential = app.credentials?.oauthClient?.token_endpoint_auth_method !== 'none';

  function submit(e: FormEvent) {
    e.preventDefault();
    void save((current) => ({
      ...current,
      settings: { ...current.settings, oauthClient: { ...current.settings?.oauthClient, redirect_uris: redirects.split(/\s+/).filter(Boolean) } },
    }));
  }

  return (
    <div className="stack">
      <StatusNotice message={message} />
      <dl className="facts card">
        <dt>Client ID</dt><dd><code>{app.credentials?.oauthClient?.client_id}</code></dd>
        <dt>Application type</dt><dd>{client?.application_type ?? 'web'}</dd>
        <dt>Grant types</dt><dd>{(client?.grant_types ?? []).join(', ')}</dd>
      </dl>
      {client?.application_type !== 'service' ? (
        <form className="card stack" onSubmit={submit} aria-label="Redirect URIs">
          <ErrorNotice error={error} title="The settings could not be saved" />
          <TextField label="Sign-in redirect URIs" hint="One per line." value={redirects} onChange={setRedirects} multiline />
          <p><button type="submit" className="primary" disabled={busy}>Save</button></p>
        </form>
      ) : null}
      {confidential ? (
        <section className="card stack" aria-labelledby="secrets-heading">
          <h3 id="secrets-heading">Client secrets</h3>
          <ErrorNotice error={secrets.error ?? rotate.error ?? change.error} />
          {newSecret ? <OnceSecret clientId={undefined} secret={newSecret} /> : null}
          {secrets.loading && !secrets.data ? <Loading /> : (
            <DataTable caption="Client secrets" rows={secrets.data ?? []} rowKey={(s) => s.id} columns={[
              { header: 'Secret', cell: (s) => <code>{s.id}</code> },
              { header: 'Created', cell: (s) => new Date(s.created).toLocaleString() },
              { header: 'Status', cell: (s) => <StatusBadge status={s.status} /> },
              {
                header: 'Actions', cell: (s) => s.status === 'ACTIVE'
                  ? <button type="button" onClick={() => void change.run(s.id, 'deactivate').then(secrets.reload)}>Deactivate</button>
                  : <span className="actions">
                    <button type="button" onClick={() => void change.run(s.id, 'activate').then(secrets.reload)}>Activate</button>
                    <ConfirmButton question="Delete this secret?" onConfirm={() => void change.run(s.id, 'delete').then(secrets.reload)}>Delete</ConfirmButton>
                  </span>,
              },
            ]} />
          )}
          <p>
            <button type="button" disabled={rotate.busy} onClick={() => void rotate.run().then((s) => { if (s) { setNewSecret(s.client_secret); secrets.reload(); } })}>
              Generate new secret
            </button>
          </p>
        </section>
      ) : null}
    </div>
  );
}

interface Jwk { readonly kid: string; readonly x5c?: string[]; readonly expiresAt?: string; readonly created?: string }

function SamlSettings({ app, onChange }: { app: App; onChange: () => void }) {
  const signOn = app.settings?.signOn ?? {};
  const [acs, setAcs] = useState(text(signOn.ssoAcsUrl));
  const [audience, setAudience] = useState(text(signOn.audience));
  const { save, message, busy, error } = useSave(app, onChange);
  const keys = useAsync(() => api.get<Jwk[]>(path`/api/v1/apps/${app.id}/credentials/keys`), [app.id]);
  const metadata = app._links?.metadata?.href;
  const certificate = keys.data?.[keys.data.length - 1]?.x5c?.[0];

  function submit(e: FormEvent) {
    e.preventDefault();
    void save((current) => ({
      ...current,
      settings: { ...current.settings, signOn: { ...current.settings?.signOn, ssoAcsUrl: acs.trim(), recipient: acs.trim(), destination: acs.trim(), audience: audience.trim() } },
    }));
  }

  return (
    <div className="stack">
      <StatusNotice message={message} />
      <form className="card stack" onSubmit={submit} aria-label="SAML settings">
        <ErrorNotice error={error} title="The settings could not be saved" />
        <TextField label="Single sign-on URL (ACS URL)" value={acs} onChange={setAcs} type="url" required />
        <TextField label="Audience URI (SP entity ID)" value={audience} onChange={setAudience} required />
        <p className="hint">Name ID: <code>{text(signOn.subjectNameIdTemplate) || '${user.userName}'}</code></p>
        <p><button type="submit" className="primary" disabled={busy}>Save</button></p>
      </form>
      <section className="card stack" aria-labelledby="idp-heading">
        <h3 id="idp-heading">Identity provider details</h3>
        <ErrorNotice error={keys.error} />
        <dl className="facts">
          <dt>Metadata URL</dt><dd>{metadata ? <code data-testid="metadata-url">{metadata}</code> : 'none'}</dd>
        </dl>
        {certificate ? (
          <>
            <h4>Signing certificate</h4>
            <pre data-testid="signing-certificate" tabIndex={0} aria-label="Signing certificate">{`-----BEGIN CERTIFICATE-----\n${certificate.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----`}</pre>
          </>
        ) : keys.loading ? <Loading /> : <p>No signing certificate yet.</p>}
      </section>
    </div>
  );
}

function SwaSettings({ app, onChange }: { app: App; onChange: () => void }) {
  const settings = app.settings?.app ?? {};
  const [url, setUrl] = useState(text(settings.url));
  const [usernameField, setUsernameField] = useState(text(settings.usernameField));
  const [passwordField, setPasswordField] = useState(text(settings.passwordField));
  const [scheme, setScheme] = useState(app.credentials?.scheme ?? 'EDIT_USERNAME_AND_PASSWORD');
  const [sharedUser, setSharedUser] = useState(app.credentials?.userName ?? '');
  const [sharedPassword, setSharedPassword] = useState('');
  const { save, message, busy, error } = useSave(app, onChange);
  const shared = scheme === 'SHARED_USERNAME_AND_PASSWORD';

  function submit(e: FormEvent) {
    e.preventDefault();
    void save((current) => ({
      ...current,
      credentials: {
        ...current.credentials, scheme,
        ...(shared ? { userName: sharedUser.trim(), ...(sharedPassword ? { password: { value: sharedPassword } } : {}) } : {}),
      },
      settings: { ...current.settings, app: { ...current.settings?.app, url: url.trim(), usernameField: usernameField.trim(), passwordField: passwordField.trim() } },
    }));
  }

  return (
    <form className="card stack" onSubmit={submit} aria-label="SWA settings">
      <StatusNotice message={message} />
      <ErrorNotice error={error} title="The settings could not be saved" />
      <TextField label="Login URL" value={url} onChange={setUrl} type="url" required />
      <TextField label="Username field" value={usernameField} onChange={setUsernameField} required />
      <TextField label="Password field" value={passwordField} onChange={setPasswordField} required />
      <SelectField label="Credentials" value={scheme} onChange={setScheme} options={swaSchemes} />
      {shared ? (
        <>
          <TextField label="Shared user name" value={sharedUser} onChange={setSharedUser} required autoComplete="off" />
          <TextField label="Shared password" type="password" hint="Leave empty to keep the current password." value={sharedPassword} onChange={setSharedPassword} autoComplete="new-password" />
        </>
      ) : null}
      <p className="hint">Launch method: {text(settings.launchMethod) || 'FORM_POST'}</p>
      <p><button type="submit" className="primary" disabled={busy}>Save</button></p>
    </form>
  );
}
