/**
 * The lifecycle operations a person's status allows. The server says which in the user's `_links`
 * (as Okta's API does), so the buttons never offer what would be refused.
 */
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, path } from '../../api.ts';
import { useAction } from '../../components/async.ts';
import { ConfirmButton, ErrorNotice, StatusNotice } from '../../components/ui.tsx';
import type { User } from './types.ts';

interface Operation {
  readonly label: string;
  readonly question: string;
  /** Harmless operations ask too, but are not drawn as dangerous. */
  readonly danger: boolean;
  readonly done: string;
}

const operations: Readonly<Record<string, Operation>> = {
  activate: { label: 'Activate', question: 'Activate this person?', danger: false, done: 'activated' },
  reactivate: { label: 'Activate', question: 'Activate this person again?', danger: false, done: 'activated' },
  unlock: { label: 'Unlock', question: 'Unlock this person?', danger: false, done: 'unlocked' },
  unsuspend: { label: 'Unsuspend', question: 'Let this person sign in again?', danger: false, done: 'unsuspended' },
  reset_password: { label: 'Reset password', question: 'Reset this person\'s password? Their current one stops working.', danger: true, done: 'sent to password recovery' },
  expire_password: { label: 'Expire password', question: 'Make this person choose a new password at the next sign-in?', danger: true, done: 'asked for a new password at the next sign-in' },
  suspend: { label: 'Suspend', question: 'Suspend this person? They cannot sign in until unsuspended.', danger: true, done: 'suspended' },
  deactivate: { label: 'Deactivate', question: 'Deactivate this person? Their sessions end and their app accounts are deprovisioned.', danger: true, done: 'deactivated' },
};

/** The operation names in the user's links (`…/lifecycle/{operation}`), in the order of the table above. */
export function allowedOperations(user: User): string[] {
  const offered = new Set(Object.values(user._links ?? {}).map((l) => /\/lifecycle\/([a-z_]+)$/.exec(l.href)?.[1]).filter(Boolean));
  return Object.keys(operations).filter((op) => offered.has(op));
}

type Result = { activationUrl?: string; resetPasswordUrl?: string };

export function LifecycleActions({ user, onChanged }: { user: User; onChanged: () => void }) {
  const navigate = useNavigate();
  const [message, setMessage] = useState<string>();
  const [link, setLink] = useState<{ label: string; url: string }>();
  const run = useAction(async (operation: string) => {
    setMessage(undefined);
    setLink(undefined);
    const query = ['activate', 'reactivate', 'reset_password'].includes(operation) ? '?sendEmail=false' : '';
    const result = await api.post<Result>(path`/api/v1/users/${user.id}/lifecycle/${operation}` + query);
    setMessage(`${user.profile.login} was ${operations[operation]!.done}.`);
    if (result?.activationUrl) setLink({ label: 'Activation link', url: result.activationUrl });
    if (result?.resetPasswordUrl) setLink({ label: 'Password reset link', url: result.resetPasswordUrl });
    onChanged();
  });
  const remove = useAction(async () => {
    await api.delete(path`/api/v1/users/${user.id}`);
    void navigate('/users', { state: { message: `${user.profile.login} was deleted.` } });
  });
  return (
    <section className="panel" aria-labelledby="lifecycle-heading">
      <h2 id="lifecycle-heading">Actions</h2>
      <StatusNotice message={message} />
      {link ? <p>{link.label} (hand it to the person; it works once): <code>{link.url}</code></p> : null}
      <ErrorNotice error={run.error ?? remove.error} title="That action did not work" />
      <div className="actions">
        {allowedOperations(user).map((op) => (
          <ConfirmButton key={op} question={operations[op]!.question} danger={operations[op]!.danger} busy={run.busy}
            onConfirm={() => void run.run(op)}>{operations[op]!.label}</ConfirmButton>
        ))}
        {user.status === 'DEPROVISIONED'
          ? <ConfirmButton question="Delete this person for good? This cannot be undone." busy={remove.busy} onConfirm={() => void remove.run()}>Delete</ConfirmButton>
          : null}
      </div>
    </section>
  );
}
