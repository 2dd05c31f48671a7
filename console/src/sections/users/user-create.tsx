/** `/admin/users/new`: a new person, active now (with or without a password) or staged for later. */
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../api.ts';
import { useAction } from '../../components/async.ts';
import { BackLink, CheckboxField, ErrorNotice, PageHeader, TextField } from '../../components/ui.tsx';
import type { User } from './types.ts';

export function UserCreate() {
  const navigate = useNavigate();
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [email, setEmail] = useState('');
  const [login, setLogin] = useState('');
  const [mobilePhone, setMobilePhone] = useState('');
  const [password, setPassword] = useState('');
  const [activate, setActivate] = useState(true);
  const create = useAction(async () => {
    const profile: Record<string, string> = { firstName, lastName, email, login: login || email };
    if (mobilePhone) profile.mobilePhone = mobilePhone;
    const body = { profile, ...(password ? { credentials: { password: { value: password } } } : {}) };
    return api.post<User>(`/api/v1/users?activate=${activate}`, body);
  });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const user = await create.run();
    if (user) void navigate(`/users/${encodeURIComponent(user.id)}`, { state: { message: `${user.profile.login} was created (${user.status.toLowerCase()}).` } });
  };
  return (
    <>
      <BackLink to="/users">People</BackLink>
      <PageHeader title="Add a person" />
      <ErrorNotice error={create.error} title="Could not add this person" />
      <form className="stack card" onSubmit={(e) => void submit(e)} noValidate>
        <TextField label="First name" value={firstName} onChange={setFirstName} required autoComplete="off" />
        <TextField label="Last name" value={lastName} onChange={setLastName} required autoComplete="off" />
        <TextField label="Email" type="email" value={email} onChange={setEmail} required autoComplete="off" />
        <TextField label="Username" value={login} onChange={setLogin} autoComplete="off" placeholder={email || undefined}
          hint="Leave empty to use the email address." />
        <TextField label="Mobile phone" type="tel" value={mobilePhone} onChange={setMobilePhone} autoComplete="off" />
        <TextField label="Password" type="password" value={password} onChange={setPassword} autoComplete="new-password"
          hint="Optional. Without one, an active person sets their own through the activation link." />
        <CheckboxField label="Activate now" checked={activate} onChange={setActivate}
          hint="Otherwise the person is staged and can be activated later from their page." />
        <div className="actions">
          <button type="submit" className="primary" disabled={create.busy}>{create.busy ? 'Adding…' : 'Add person'}</button>
        </div>
      </form>
    </>
  );
}
