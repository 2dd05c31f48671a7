/** `/admin/apps/catalog`: search the integration network's published integrations. */
import { useState } from 'react';
import { Link } from 'react-router';
import { api, path } from '../../api.ts';
import { useAsync } from '../../components/async.ts';
import { BackLink, EmptyState, ErrorNotice, Loading, PageHeader, SelectField, TextField } from '../../components/ui.tsx';
import type { CatalogEntry } from './types.ts';

const modes = [
  { value: '', label: 'Any' }, { value: 'saml', label: 'SAML 2.0' }, { value: 'oidc', label: 'OpenID Connect' },
  { value: 'wsfed', label: 'WS-Federation' }, { value: 'swa', label: 'SWA' },
];

export function Catalog() {
  const [q, setQ] = useState('');
  const [mode, setMode] = useState('');
  const entries = useAsync(() => {
    const params = new URLSearchParams({ limit: '60' });
    if (q.trim()) params.set('q', q.trim());
    if (mode) params.set('signOnMode', mode);
    return api.get<CatalogEntry[]>(`/api/v1/catalog/integrations?${params.toString()}`);
  }, [q, mode]);
  return (
    <div className="stack">
      <BackLink to="/apps">Applications</BackLink>
      <PageHeader title="App catalog" description="Integrations published on the integration network, ready to add." />
      <form className="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
        <TextField label="Search integrations" type="search" value={q} onChange={setQ} />
        <SelectField label="Sign-on mode" value={mode} onChange={setMode} options={modes} />
      </form>
      <ErrorNotice error={entries.error} title="The catalog could not be loaded" />
      {entries.loading && !entries.data ? <Loading /> : (entries.data ?? []).length === 0 ? <EmptyState title="No integration matches." /> : (
        <ul className="cards" aria-label="Integrations">
          {(entries.data ?? []).map((e) => (
            <li key={e.id}>
              <Link to={path`/apps/catalog/${e.id}`}>{e.name}</Link>
              <span>{e.category ?? ''}{e.signOnModes.length ? ` · ${e.signOnModes.join(', ')}` : ''}</span>
              <p className="hint">{e.description}</p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
