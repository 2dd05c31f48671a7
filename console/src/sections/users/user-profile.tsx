/** A person's profile: the facts of their account, and the attributes an admin edits. */
import { useEffect, useState, type FormEvent } from 'react';
import { api, path } from '../../api.ts';
import { useAction } from '../../components/async.ts';
import { ErrorNotice, StatusNotice, TextField } from '../../components/ui.tsx';
import { when, type User } from './types.ts';

const editable = [
  { name: 'firstName', label: 'First name', type: 'text' },
  { name: 'lastName', label: 'Last name', type: 'text' },
  { name: 'email', label: 'Email', type: 'email' },
  { name: 'login', label: 'Username', type: 'text' },
  { name: 'secondEmail', label: 'Secondary email', type: 'email' },
  { name: 'mobilePhone', label: 'Mobile phone', type: 'tel' },
  { name: 'title', label: 'Title', type: 'text' },
  { name: 'department', label: 'Department', type: 'text' },
] as const;

type Draft = Record<(typeof editable)[number]['name'], string>;

function draftOf(user: User): Draft {
  return Object.fromEntries(editable.map((f) => [f.name, typeof user.profile[f.name] === 'string' ? user.profile[f.name] as string : ''])) as Draft;
}

export function UserProfileTab({ user, onSaved }: { user: User; onSaved: () => void }) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(user));
  const [message, setMessage] = useState<string>();
  useEffect(() => setDraft(draftOf(user)), [user]);
  const save = useAction(async () => {
    // A cleared optional attribute is removed (null), as Okta's partial update does.
    const profile = Object.fromEntries(editable.map((f) => [f.name, draft[f.name] === '' ? null : draft[f.name]]));
    await api.post<User>(path`/api/v1/users/${user.id}`, { profile });
    setMessage('Profile saved.');
    onSaved();
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMessage(undefined);
    void save.run();
  };
  return (
    <section aria-labelledby="profile-heading">
      <h2 id="profile-heading">Profile</h2>
      <dl className="facts card">
        <dt>Id</dt><dd><code>{user.id}</code></dd>
        <dt>Created</dt><dd>{when(user.created)}</dd>
        <dt>Activated</dt><dd>{when(user.activated)}</dd>
        <dt>Last sign-in</dt><dd>{when(user.lastLogin)}</dd>
        <dt>Password changed</dt><dd>{when(user.passwordChanged)}</dd>
        <dt>Status changed</dt><dd>{when(user.statusChanged)}</dd>
      </dl>
      <StatusNotice message={message} />
      <ErrorNotice error={save.error} title="Could not save the profile" />
      <form className="stack card" onSubmit={submit} noValidate aria-label="Edit profile">
        {editable.map((f) => (
          <TextField key={f.name} label={f.label} type={f.type} value={draft[f.name]} autoComplete="off"
            required={f.name === 'email' || f.name === 'login'}
            onChange={(v) => setDraft((d) => ({ ...d, [f.name]: v }))} />
        ))}
        <div className="actions"><button type="submit" className="primary" disabled={save.busy}>{save.busy ? 'Saving…' : 'Save profile'}</button></div>
      </form>
    </section>
  );
}
