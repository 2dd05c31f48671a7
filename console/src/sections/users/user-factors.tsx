/** A person's enrolled factors: remove one, or reset them all so the person enrols afresh. */
import { useState } from 'react';
import { api, path } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import { ConfirmButton, DataTable, EmptyState, ErrorNotice, Loading, StatusBadge, StatusNotice } from '../../components/ui.tsx';
import { when, type Factor, type User } from './types.ts';

const factorNames: Readonly<Record<string, string>> = {
  'token:software:totp': 'Authenticator app (TOTP)', webauthn: 'Security key or biometric', sms: 'SMS', email: 'Email', call: 'Voice call',
  question: 'Security question', 'token:hotp': 'Hardware token',
};

export function UserFactorsTab({ user }: { user: User }) {
  const factors = useAsync(() => api.get<Factor[]>(path`/api/v1/users/${user.id}/factors`), [user.id]);
  const [message, setMessage] = useState<string>();
  const remove = useAction(async (factor: Factor) => {
    await api.delete(path`/api/v1/users/${user.id}/factors/${factor.id}`);
    setMessage(`${factorNames[factor.factorType] ?? factor.factorType} removed.`);
    factors.reload();
  });
  const reset = useAction(async () => {
    await api.post(path`/api/v1/users/${user.id}/lifecycle/reset_factors`);
    setMessage('Every factor was reset; the person enrols again at the next sign-in.');
    factors.reload();
  });
  const rows = factors.data ?? [];
  return (
    <section aria-labelledby="factors-heading">
      <h2 id="factors-heading">Factors</h2>
      <StatusNotice message={message} />
      <ErrorNotice error={factors.error ?? remove.error ?? reset.error} />
      {factors.loading && !factors.data ? <Loading label="Loading factors…" /> : null}
      {factors.data ? (
        <DataTable caption={`Factors of ${user.profile.login}`} rows={rows} rowKey={(f) => f.id}
          empty={<EmptyState title="No factors enrolled." />}
          columns={[
            { header: 'Factor', cell: (f) => factorNames[f.factorType] ?? f.factorType },
            { header: 'Provider', cell: (f) => f.provider },
            { header: 'Status', cell: (f) => <StatusBadge status={f.status} /> },
            { header: 'Enrolled', cell: (f) => when(f.created) },
            { header: 'Actions', cell: (f) => (
              <ConfirmButton question="Remove this factor?" busy={remove.busy} onConfirm={() => void remove.run(f)}>
                Remove {factorNames[f.factorType] ?? f.factorType}
              </ConfirmButton>
            ) },
          ]} />
      ) : null}
      {rows.length ? (
        <p><ConfirmButton question="Reset every factor of this person?" busy={reset.busy} onConfirm={() => void reset.run()}>Reset all factors</ConfirmButton></p>
      ) : null}
    </section>
  );
}
