/** The General tab: the label, activation, deletion. */
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, path } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import { ConfirmButton, ErrorNotice, StatusNotice, TextField } from '../../components/ui.tsx';
import type { App } from './types.ts';

export function GeneralTab({ app, onChange }: { app: App; onChange: () => void }) {
  const navigate = useNavigate();
  const [label, setLabel] = useState(app.label);
  const [message, setMessage] = useState<string>();
  const save = useAction(async () => {
    const current = await api.get<App>(path`/api/v1/apps/${app.id}`);
    await api.put(path`/api/v1/apps/${app.id}`, { ...current, label: label.trim() });
    return true;
  });
  const lifecycle = useAction(async (operation: 'activate' | 'deactivate') => { await api.post(path`/api/v1/apps/${app.id}/lifecycle/${operation}`); return true; });
  const remove = useAction(async () => { await api.delete(path`/api/v1/apps/${app.id}`); return true; });

  async function submit(e: FormEvent) {
    e.preventDefault();
    setMessage(undefined);
    if (await save.run()) {
      setMessage('Saved.');
      onChange();
    }
  }

  return (
    <div className="stack">
      <StatusNotice message={message} />
      <form className="card stack" onSubmit={(e) => void submit(e)} aria-label="App label">
        <ErrorNotice error={save.error} title="The app could not be saved" />
        <TextField label="App label" value={label} onChange={setLabel} required />
        <p><button type="submit" className="primary" disabled={save.busy}>Save</button></p>
      </form>
      <div className="card stack">
        <ErrorNotice error={lifecycle.error ?? remove.error} />
        <dl className="facts">
          <dt>App ID</dt><dd><code>{app.id}</code></dd>
          <dt>Status</dt><dd>{app.status.toLowerCase()}</dd>
        </dl>
        <div className="actions">
          {app.status === 'ACTIVE'
            ? <ConfirmButton question="Deactivate this app? People lose access to it." busy={lifecycle.busy}
              onConfirm={() => void lifecycle.run('deactivate').then((ok) => { if (ok) { setMessage('App deactivated.'); onChange(); } })}>Deactivate</ConfirmButton>
            : <button type="button" disabled={lifecycle.busy} onClick={() => void lifecycle.run('activate').then((ok) => { if (ok) { setMessage('App activated.'); onChange(); } })}>Activate</button>}
          {app.status !== 'ACTIVE'
            ? <ConfirmButton question="Delete this app for good?" busy={remove.busy}
              onConfirm={() => void remove.run().then((ok) => { if (ok) navigate('/apps'); })}>Delete</ConfirmButton>
            : <p className="hint">Deactivate the app before deleting it.</p>}
        </div>
      </div>
      <SetupInstructions appId={app.id} />
    </div>
  );
}

/** For an app added from the catalog: its setup instructions, with this app's own values filled in. */
function SetupInstructions({ appId }: { appId: string }) {
  const integration = useAsync(() => api.get<{ name?: string; instructions?: string | null; provisioningInstructions?: string | null }>(
    path`/api/v1/apps/${appId}/integration`).catch(() => undefined), [appId]);
  const found = integration.data;
  if (!found?.instructions && !found?.provisioningInstructions) return null;
  return (
    <section className="card stack" aria-labelledby="setup-instructions-heading">
      <h2 id="setup-instructions-heading">Setup instructions{found.name ? ` for ${found.name}` : ''}</h2>
      {found.instructions ? <p className="app-instructions">{found.instructions}</p> : null}
      {found.provisioningInstructions ? <><h3>Provisioning</h3><p className="app-instructions">{found.provisioningInstructions}</p></> : null}
    </section>
  );
}
