import { useState, type FormEvent } from 'react';
import type { Section } from '../section.ts';
import { api, path } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import { ConfirmButton, DataTable, ErrorNotice, Loading, PageHeader, StatusNotice, TextField, EmptyState } from '../../components/ui.tsx';

interface ApiToken {
  readonly id: string;
  readonly name: string;
  readonly userId: string;
  readonly clientName?: string;
  readonly created: string;
  readonly expiresAt?: string | null;
}

const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

/** The secret of a token just created: shown once, selectable, with a way to copy it. */
function NewTokenSecret({ name, token, onDone }: { name: string; token: string; onDone: () => void }) {
  const [copied, setCopied] = useState<string | undefined>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token);
      setCopied('Token copied to the clipboard.');
    } catch {
      setCopied('Copying is not allowed here: select the token and copy it yourself.');
    }
  };
  return (
    <section className="notice info" aria-labelledby="new-token-heading">
      <h2 id="new-token-heading">Token “{name}” created</h2>
      <p>Copy it now: Lanyard keeps only a hash and cannot show it again.</p>
      <label htmlFor="new-token-value">Token value</label>
      <input id="new-token-value" readOnly value={token} onFocus={(e) => e.target.select()} className="token-value" />
      <div className="actions">
        <button type="button" onClick={() => void copy()}>Copy token</button>
        <button type="button" onClick={onDone}>I have copied it</button>
      </div>
      <StatusNotice message={copied} />
    </section>
  );
}

function ApiTokensPage() {
  const tokens = useAsync(() => api.get<ApiToken[]>('/api/v1/api-tokens'), []);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ name: string; token: string } | undefined>();
  const [status, setStatus] = useState<string | undefined>();
  const create = useAction(async (tokenName: string) => api.post<ApiToken & { token: string }>('/api/v1/api-tokens', { name: tokenName }));
  const revoke = useAction(async (token: ApiToken) => {
    await api.delete(path`/api/v1/api-tokens/${token.id}`);
    return token;
  });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const result = await create.run(name.trim());
    if (result) {
      setCreated({ name: result.name, token: result.token });
      setStatus(undefined);
      setName('');
      tokens.reload();
    }
  };

  return (
    <div className="stack">
      <PageHeader title="API tokens" description="Tokens call the management API as the administrator who created them. Revoke the ones no longer used." />
      {created ? <NewTokenSecret name={created.name} token={created.token} onDone={() => setCreated(undefined)} /> : null}
      <StatusNotice message={status} />
      <section className="card" aria-labelledby="create-token-heading">
        <h2 id="create-token-heading">Create a token</h2>
        <ErrorNotice error={create.error} title="The token was not created" />
        <form className="toolbar" onSubmit={(e) => void submit(e)}>
          <TextField label="Token name" value={name} onChange={setName} required hint="Say what will use it, e.g. “HR sync”." />
          <button type="submit" className="primary" disabled={create.busy || !name.trim()}>{create.busy ? 'Creating…' : 'Create token'}</button>
        </form>
      </section>
      <section aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">Tokens</h2>
        <ErrorNotice error={tokens.error} title="The tokens could not be loaded" />
        <ErrorNotice error={revoke.error} title="The token was not revoked" />
        {tokens.loading && !tokens.data ? <Loading /> : null}
        {tokens.data ? (
          <DataTable
            caption="API tokens"
            rows={tokens.data}
            rowKey={(t) => t.id}
            empty={<EmptyState title="No API tokens yet">Create one above for a script or an integration.</EmptyState>}
            columns={[
              { header: 'Name', cell: (t) => t.name },
              { header: 'Owner', cell: (t) => t.userId },
              { header: 'Created', cell: (t) => when(t.created) },
              { header: 'Expires', cell: (t) => when(t.expiresAt) },
              {
                header: 'Actions',
                cell: (t) => (
                  <ConfirmButton question={`Revoke the token “${t.name}”?`} busy={revoke.busy} onConfirm={() => {
                    void revoke.run(t).then((done) => {
                      if (done) {
                        setStatus(`Token “${done.name}” revoked.`);
                        tokens.reload();
                      }
                    });
                  }}>Revoke<span className="visually-hidden"> {t.name}</span></ConfirmButton>
                ),
              },
            ]}
          />
        ) : null}
      </section>
    </div>
  );
}

export const sections: Section[] = [
  { group: 'Settings', label: 'API tokens', path: 'api-tokens', scope: 'okta.apiTokens.read', routes: [{ path: 'api-tokens', element: <ApiTokensPage /> }] },
];
