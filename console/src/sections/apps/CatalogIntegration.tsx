/**
 * `/admin/apps/catalog/{id}`: one integration with its setup instructions; the tenant variables
 * form adds it to the org as an ordinary app (`POST /api/v1/catalog/integrations/{id}/instances`).
 */
import { useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, path } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import { BackLink, ErrorNotice, Loading, PageHeader, SelectField, TextField } from '../../components/ui.tsx';
import { OnceSecret } from './OnceSecret.tsx';
import type { App, CatalogEntry } from './types.ts';
import './apps.css';

export function CatalogIntegration() {
  const { integrationId = '' } = useParams();
  const navigate = useNavigate();
  const entry = useAsync(() => api.get<CatalogEntry>(path`/api/v1/catalog/integrations/${integrationId}`), [integrationId]);
  const [mode, setMode] = useState('');
  const [label, setLabel] = useState('');
  const [variables, setVariables] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<App>();
  const add = useAction(async (signOnMode: string) => api.post<App>(path`/api/v1/catalog/integrations/${integrationId}/instances`, {
    signOnMode, ...(label.trim() ? { label: label.trim() } : {}), variables, activate: true,
  }));

  if (!entry.data) {
    return <div className="stack"><BackLink to="/apps/catalog">App catalog</BackLink><ErrorNotice error={entry.error} title="The integration could not be loaded" />{entry.loading ? <Loading /> : null}</div>;
  }
  const e = entry.data;
  const chosen = mode || e.signOnModes[0] || '';
  const instructions = e.instructions?.[chosen];

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    const app = await add.run(chosen);
    if (!app) return;
    if (app.credentials?.oauthClient?.client_secret) setCreated(app);
    else navigate(path`/apps/${app.id}`);
  }

  if (created) {
    return (
      <div className="stack">
        <PageHeader title={`${created.label} added`} />
        <OnceSecret clientId={created.credentials?.oauthClient?.client_id} secret={created.credentials?.oauthClient?.client_secret} />
        <p><button type="button" className="primary" onClick={() => navigate(path`/apps/${created.id}`)}>Go to the app</button></p>
      </div>
    );
  }

  return (
    <div className="stack">
      <BackLink to="/apps/catalog">App catalog</BackLink>
      <PageHeader title={e.name} description={e.description} />
      <div className="app-columns">
        <section className="card stack" aria-labelledby="setup-heading">
          <h2 id="setup-heading">Setup instructions</h2>
          {instructions ? <p className="app-instructions">{instructions}</p> : <p>This integration has no setup instructions for this sign-on mode.</p>}
          {e.provisioning?.instructions ? <><h3>Provisioning</h3><p className="app-instructions">{e.provisioning.instructions}</p></> : null}
          {e.docsUrl ? <p><a href={e.docsUrl} rel="noreferrer noopener" target="_blank">Vendor documentation</a></p> : null}
        </section>
        <form className="card stack" onSubmit={(ev) => void submit(ev)} aria-labelledby="add-heading">
          <h2 id="add-heading">Add to this org</h2>
          <ErrorNotice error={add.error} title="The integration could not be added" />
          {e.signOnModes.length > 1
            ? <SelectField label="Sign-on mode" value={chosen} onChange={setMode} options={e.signOnModes.map((m) => ({ value: m, label: m }))} />
            : <p>Sign-on mode: {chosen}</p>}
          <TextField label="App label" hint={`Optional; by default ${e.name}.`} value={label} onChange={setLabel} />
          {(e.variables ?? []).map((v) => (
            <TextField key={v.name} label={v.label ?? v.name} required value={variables[v.name] ?? ''}
              hint={[v.description, v.example ? `For example: ${v.example}` : ''].filter(Boolean).join(' ')}
              onChange={(value) => setVariables((all) => ({ ...all, [v.name]: value }))} />
          ))}
          <p><button type="submit" className="primary" disabled={add.busy}>{add.busy ? 'Adding…' : 'Add'}</button></p>
        </form>
      </div>
    </div>
  );
}
