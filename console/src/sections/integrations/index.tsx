/**
 * My integrations: this org's integrations in the network, the App Integration Wizard that makes
 * a draft and its private test instance, editing a draft, submitting it for review, and what the
 * automated checks and the reviewers said. Everything through `/api/v1/integrations`.
 */
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { Section } from '../section.ts';
import { api, ApiError, path } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import {
  BackLink, DataTable, EmptyState, ErrorNotice, Loading, PageHeader, SelectField, StatusBadge, StatusNotice, TextField,
} from '../../components/ui.tsx';
import { Wizard } from './wizard.tsx';
import { CheckResults, ReviewHistory, when, type IntegrationVersion, type Manifest } from './network-ui.tsx';

export interface VendorIntegration {
  readonly id: string;
  readonly name: string;
  readonly testAppId: string | null;
  readonly created: string;
  readonly lastUpdated: string;
  readonly versions: readonly IntegrationVersion[];
}

const versionPath = (id: string, version: string) => `/integrations/${encodeURIComponent(id)}/versions/${encodeURIComponent(version)}`;

function IntegrationsPage() {
  const list = useAsync(() => api.get<VendorIntegration[]>('/api/v1/integrations'), []);
  return (
    <>
      <PageHeader title="My integrations" description="Apps your organization offers to every Lanyard organization through the integration network."
        actions={<Link className="button primary" to="/integrations/new">New integration</Link>} />
      <ErrorNotice error={list.error} title="Could not load your integrations" />
      {list.loading && !list.data ? <Loading /> : null}
      {list.data ? (
        <DataTable caption="Your integrations and their versions" rows={list.data} rowKey={(i) => i.id}
          empty={<EmptyState title="You have no integrations yet."><p>Start with <Link to="/integrations/new">the App Integration Wizard</Link>, or import a manifest file.</p></EmptyState>}
          columns={[
            { header: 'Integration', cell: (i) => <><strong>{i.name}</strong><br /><span className="hint">{i.id}</span></> },
            {
              header: 'Versions',
              cell: (i) => (
                <ul className="version-list">
                  {i.versions.map((v) => (
                    <li key={v.version}><Link to={versionPath(i.id, v.version)} aria-label={`${i.name} version ${v.version}, ${v.status.toLowerCase()}`}>{v.version}</Link> <StatusBadge status={v.status} /></li>
                  ))}
                </ul>
              ),
            },
            { header: 'Test instance', cell: (i) => i.testAppId ? <Link to={`/apps/${encodeURIComponent(i.testAppId)}`}>Test app</Link> : '—' },
            { header: 'Last updated', cell: (i) => when(i.lastUpdated) },
          ]} />
      ) : null}
      <ImportManifest onImported={list.reload} />
    </>
  );
}

/** A manifest file kept in source control becomes a new integration or a new version. */
function ImportManifest({ onImported }: { onImported: () => void }) {
  const [text, setText] = useState('');
  const [done, setDone] = useState<string>();
  const navigate = useNavigate();
  const importing = useAction(async () => {
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      throw new Error('The manifest is not valid JSON.');
    }
    const result = await api.post<{ id: string; version: string; created: boolean }>('/api/v1/integrations/import', document);
    setDone(`Imported ${result.id} ${result.version}.`);
    onImported();
    navigate(versionPath(result.id, result.version));
  });
  const readFile = async (file: File | undefined) => {
    if (file) setText(await file.text());
  };
  return (
    <section className="panel" aria-labelledby="import-heading">
      <h2 id="import-heading">Import a manifest file</h2>
      <form className="stack" noValidate onSubmit={(e) => { e.preventDefault(); void importing.run(); }}>
        <div className="field">
          <label htmlFor="manifest-file">Manifest file (JSON)</label>
          <input id="manifest-file" type="file" accept="application/json,.json" onChange={(e) => void readFile(e.target.files?.[0])} />
        </div>
        <TextField label="Or paste the manifest" multiline value={text} onChange={setText} />
        <ErrorNotice error={importing.error} title="Could not import the manifest" />
        <StatusNotice message={done} />
        <div className="toolbar"><button type="submit" disabled={importing.busy || !text.trim()}>Import</button></div>
      </form>
    </section>
  );
}

interface AppIntegrationLink {
  readonly instructions: string | null;
  readonly signOnMode: string;
  readonly variables: Record<string, string>;
  readonly lanyardValues: Record<string, string | undefined>;
}

/** The vendor's private test app: where it is, what the vendor's app needs, how to sign in to it. */
function TestInstance({ appId }: { appId: string }) {
  const link = useAsync(() => api.get<AppIntegrationLink>(path`/api/v1/apps/${appId}/integration`), [appId]);
  return (
    <section className="panel" aria-labelledby="test-instance">
      <h2 id="test-instance">Test instance</h2>
      <p>
        A private app in your organization, built from this version: <Link to={`/apps/${encodeURIComponent(appId)}`}>open the test app</Link>.
        To sign in to it, assign your test account to the app (its Assignments), configure your application with the values
        below, then sign in from the account's <a href="/">My apps</a> dashboard or start at your application's own sign-in page.
      </p>
      <ErrorNotice error={link.error} title="Could not load the test instance" />
      {link.data ? (
        <>
          <dl className="facts">
            <dt>Sign-on mode</dt><dd>{link.data.signOnMode}</dd>
            {Object.entries(link.data.variables).map(([k, v]) => <FactPair key={`var-${k}`} term={`Variable ${k}`} value={v} />)}
            {Object.entries(link.data.lanyardValues).filter(([, v]) => v).map(([k, v]) => <FactPair key={k} term={k} value={v!} />)}
          </dl>
          {link.data.instructions ? <><h3>Setup instructions</h3><p className="instructions">{link.data.instructions}</p></> : null}
        </>
      ) : null}
    </section>
  );
}

function FactPair({ term, value }: { term: string; value: string }) {
  return <><dt>{term}</dt><dd>{value}</dd></>;
}

function VersionPage() {
  const { integrationId = '', version = '' } = useParams();
  const integration = useAsync(() => api.get<VendorIntegration>(path`/api/v1/integrations/${integrationId}`), [integrationId]);
  const current = useAsync(() => api.get<IntegrationVersion>(path`/api/v1/integrations/${integrationId}/versions/${version}`), [integrationId, version]);
  const [message, setMessage] = useState<string>();
  const v = current.data;
  const editable = v && (v.status === 'DRAFT' || v.status === 'REJECTED');
  const others = integration.data?.versions.filter((o) => o.version !== version) ?? [];
  const changed = (text: string) => {
    setMessage(text);
    current.reload();
    integration.reload();
  };
  return (
    <>
      <BackLink to="/integrations">My integrations</BackLink>
      <PageHeader title={`${v?.manifest?.name ?? integrationId} ${version}`} description={v ? <>Status: <StatusBadge status={v.status} />{v.tier ? <> · published as {v.tier}</> : null}</> : undefined} />
      <ErrorNotice error={current.error ?? integration.error} title="Could not load this version" />
      <StatusNotice message={message} />
      {!v ? (current.loading ? <Loading /> : null) : (
        <div className="stack">
          <section className="panel" aria-labelledby="version-facts">
            <h2 id="version-facts">Version</h2>
            <dl className="facts">
              <dt>Integration id</dt><dd>{integrationId}</dd>
              <dt>Created</dt><dd>{when(v.created)}</dd>
              <dt>Submitted</dt><dd>{when(v.submitted)}</dd>
              <dt>Published</dt><dd>{when(v.published)}</dd>
              <dt>Other versions</dt>
              <dd>{others.length ? others.map((o) => (
                <span key={o.version}><Link to={versionPath(integrationId, o.version)}>{o.version}</Link> <StatusBadge status={o.status} /> </span>
              )) : 'none'}</dd>
            </dl>
          </section>
          {v.status === 'SUBMITTED' ? <p className="notice">This version passed the automated checks and waits for a reviewer. It can no longer change.</p> : null}
          {v.status === 'REJECTED' ? <p className="notice error">A reviewer rejected this version. Read why below, change the manifest and submit it again.</p> : null}
          <ReviewHistory entries={v.review?.entries} />
          <CheckResults report={v.submission?.report} />
          {integration.data?.testAppId ? <TestInstance appId={integration.data.testAppId} /> : null}
          {editable ? <SubmitForm integrationId={integrationId} version={v} onDone={changed} onFailed={() => current.reload()} /> : null}
          {editable && v.manifest ? <ManifestEditor integrationId={integrationId} version={version} manifest={v.manifest} onSaved={() => changed('Draft saved; the test instance follows it.')} /> : null}
          {v.manifest ? <NewVersion integrationId={integrationId} manifest={v.manifest} /> : null}
        </div>
      )}
    </>
  );
}

interface TestAccountInput { username: string; password: string; neverExpires: boolean }

function SubmitForm({ integrationId, version, onDone, onFailed }: {
  integrationId: string; version: IntegrationVersion; onDone: (message: string) => void; onFailed: () => void;
}) {
  const manifest = version.manifest;
  const [accounts, setAccounts] = useState<TestAccountInput[]>([{ username: '', password: '', neverExpires: true }, { username: '', password: '', neverExpires: true }]);
  const [notes, setNotes] = useState('');
  const [tier, setTier] = useState(manifest?.tier ?? 'community');
  const [scimToken, setScimToken] = useState('');
  const submit = useAction(async () => {
    const testAccounts = accounts.filter((a) => a.username.trim()).map((a) => ({ username: a.username.trim(), password: a.password, expires: !a.neverExpires }));
    try {
      const result = await api.post<IntegrationVersion>(path`/api/v1/integrations/${integrationId}/versions/${version.version}/submit`, {
        testAccounts, tier, ...(notes.trim() ? { notes: notes.trim() } : {}), ...(scimToken ? { scim: { token: scimToken } } : {}),
      });
      onDone(result.status === 'SUBMITTED' ? 'Submitted: every check passed and the version waits for a reviewer.' : `Submitted; status ${result.status}.`);
    } catch (error) {
      // The report of a failed run is kept on the version: show it.
      if (error instanceof ApiError && error.status === 400) onFailed();
      throw error;
    }
  });
  const setAccount = (i: number, change: Partial<TestAccountInput>) => setAccounts((all) => all.map((a, j) => (j === i ? { ...a, ...change } : a)));
  return (
    <section className="panel wizard" aria-labelledby="submit-heading">
      <h2 id="submit-heading">Submit for review</h2>
      <p className="hint">The automated checks run first (manifest, https, logo, contacts, test accounts, the test instance's IdP endpoint, a live sign-in{manifest?.provisioning ? ', SCIM conformance' : ''}).
        A version that passes them all joins the review queue and can no longer change.</p>
      <form noValidate onSubmit={(e) => { e.preventDefault(); void submit.run(); }}>
        {accounts.map((a, i) => (
          <fieldset key={i}>
            <legend>Test account {i + 1}{i === 0 ? ' (used for the live sign-in check)' : ' (optional; verified needs two)'}</legend>
            <div className="row">
              <TextField label={`Test account ${i + 1} username`} value={a.username} onChange={(username) => setAccount(i, { username })} autoComplete="off" />
              <TextField label={`Test account ${i + 1} password`} type="password" value={a.password} onChange={(password) => setAccount(i, { password })} autoComplete="new-password" />
            </div>
            <div className="field checkbox">
              <input id={`never-expires-${i}`} type="checkbox" checked={a.neverExpires} onChange={(e) => setAccount(i, { neverExpires: e.target.checked })} />
              <label htmlFor={`never-expires-${i}`}>Test account {i + 1} never expires</label>
            </div>
          </fieldset>
        ))}
        <SelectField label="Tier to ask for" value={tier} onChange={setTier}
          options={[{ value: 'community', label: 'Community' }, { value: 'verified', label: 'Verified (four contacts, two lasting test accounts)' }]} />
        {manifest?.provisioning ? <TextField label="Test SCIM bearer token" type="password" value={scimToken} onChange={setScimToken} autoComplete="off"
          hint="For the SCIM conformance check against your test endpoint; kept sealed." /> : null}
        <TextField label="Notes for the reviewer" multiline value={notes} onChange={setNotes} />
        <ErrorNotice error={submit.error} title="The version was not submitted" />
        {submit.busy ? <Loading label="Running the automated checks…" /> : null}
        <div className="toolbar"><button type="submit" className="primary" disabled={submit.busy}>Submit for review</button></div>
      </form>
    </section>
  );
}

/** A draft's manifest as JSON: everything the schema takes, checked by the server on save. */
function ManifestEditor({ integrationId, version, manifest, onSaved }: { integrationId: string; version: string; manifest: Manifest; onSaved: () => void }) {
  const [text, setText] = useState(() => JSON.stringify(manifest, null, 2));
  const save = useAction(async () => {
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      throw new Error('The manifest is not valid JSON.');
    }
    await api.put(path`/api/v1/integrations/${integrationId}/versions/${version}`, document);
    onSaved();
  });
  return (
    <section className="panel manifest-editor" aria-labelledby="edit-heading">
      <h2 id="edit-heading">Edit the draft</h2>
      <form noValidate onSubmit={(e) => { e.preventDefault(); void save.run(); }}>
        <TextField label="Manifest (JSON)" multiline value={text} onChange={setText}
          hint="The schema is at /api/v1/catalog/manifest-schema. The id and version stay as they are." />
        <ErrorNotice error={save.error} title="The draft was not saved" />
        <div className="toolbar"><button type="submit" disabled={save.busy}>Save draft</button></div>
      </form>
    </section>
  );
}

function NewVersion({ integrationId, manifest }: { integrationId: string; manifest: Manifest }) {
  const [next, setNext] = useState(() => bump(manifest.version));
  const navigate = useNavigate();
  const create = useAction(async () => {
    const made = await api.post<IntegrationVersion>(path`/api/v1/integrations/${integrationId}/versions`, { ...manifest, version: next });
    navigate(versionPath(integrationId, made.version));
  });
  return (
    <section className="panel" aria-labelledby="new-version-heading">
      <h2 id="new-version-heading">Start a new version</h2>
      <form className="toolbar" noValidate onSubmit={(e) => { e.preventDefault(); void create.run(); }}>
        <TextField label="New version number" value={next} onChange={setNext} hint="Above every existing version; the test instance moves to it." />
        <button type="submit" disabled={create.busy}>Create draft version</button>
      </form>
      <ErrorNotice error={create.error} title="The version was not created" />
    </section>
  );
}

function bump(version: string): string {
  const [major = '1', minor = '0'] = version.split('.');
  return `${major}.${Number(minor) + 1}.0`;
}

function WizardPage() {
  const navigate = useNavigate();
  return (
    <>
      <BackLink to="/integrations">My integrations</BackLink>
      <PageHeader title="New integration" description="The App Integration Wizard: describe your app; a draft and a private test instance are made in your organization." />
      <Wizard onCreated={(id, version) => navigate(versionPath(id, version))} />
    </>
  );
}

export const sections: Section[] = [
  {
    group: 'Integration network', label: 'My integrations', path: 'integrations', scope: 'lanyard.integrations.read',
    routes: [
      { path: 'integrations', element: <IntegrationsPage /> },
      { path: 'integrations/new', element: <WizardPage /> },
      { path: 'integrations/:integrationId/versions/:version', element: <VersionPage /> },
    ],
  },
];
