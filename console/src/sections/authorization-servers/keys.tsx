import { useState } from 'react';
import { api, path } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import { ConfirmButton, DataTable, ErrorNotice, Loading, StatusBadge, StatusNotice } from '../../components/ui.tsx';
import type { SigningKey } from './types.ts';

export function KeysTab({ serverId }: { serverId: string }) {
  const keys = useAsync(() => api.get<SigningKey[]>(path`/api/v1/authorizationServers/${serverId}/credentials/keys`), [serverId]);
  const [status, setStatus] = useState<string | undefined>();
  const rotate = useAction(() => api.post<SigningKey[]>(path`/api/v1/authorizationServers/${serverId}/credentials/lifecycle/keyRotate`, { use: 'sig' }));
  return (
    <section className="stack" aria-labelledby="keys-heading">
      <h2 id="keys-heading">Signing keys</h2>
      <p className="hint">Tokens are signed with the active key. Rotating makes the next key active and generates a new next key; tokens signed with the old key stay valid until they expire.</p>
      <StatusNotice message={status} />
      <ErrorNotice error={keys.error} title="The keys could not be loaded" />
      <ErrorNotice error={rotate.error} title="The keys were not rotated" />
      <div className="actions">
        <ConfirmButton danger={false} question="Rotate the signing keys now?" busy={rotate.busy}
          onConfirm={() => void rotate.run().then((k) => { if (k) { setStatus('Keys rotated.'); keys.reload(); } })}>Rotate keys</ConfirmButton>
      </div>
      {keys.loading && !keys.data ? <Loading /> : null}
      {keys.data ? (
        <DataTable caption="Signing keys" rows={keys.data} rowKey={(k) => k.kid} columns={[
          { header: 'Key id', cell: (k) => <code>{k.kid}</code> },
          { header: 'Status', cell: (k) => <StatusBadge status={k.status} /> },
          { header: 'Type', cell: (k) => `${k.kty}${k.alg ? ` / ${k.alg}` : ''}` },
        ]} />
      ) : null}
    </section>
  );
}
