import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { Section } from '../section.ts';
import { api } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import { CheckboxField, ErrorNotice, Loading, PageHeader, StatusNotice, TextField } from '../../components/ui.tsx';

interface Org {
  readonly id: string;
  readonly subdomain: string;
  readonly companyName: string;
}

interface OrgSettings {
  readonly passwordPolicy: {
    minLength: number; requireLowercase: boolean; requireUppercase: boolean; requireNumber: boolean; requireSymbol: boolean;
    excludeUsername: boolean; historyCount: number; rejectCommonPasswords: boolean; excludeAttributes: string[];
  };
  readonly lockout: { maxAttempts: number; autoUnlockMinutes: number | null; showLockoutFailures: boolean };
  readonly session: { idleMinutes: number; maxLifetimeMinutes: number };
  readonly rateLimits: Record<string, number>;
}

/** A whole number typed into a text field: kept as typed, sent as a number (the server checks the range). */
const asNumber = (value: string) => (value.trim() === '' ? Number.NaN : Number(value));

function Panel({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="card stack" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

function OrgNameForm({ org, onSaved }: { org: Org; onSaved: (org: Org) => void }) {
  const [name, setName] = useState(org.companyName);
  const [status, setStatus] = useState<string | undefined>();
  const save = useAction((companyName: string) => api.post<Org>('/api/v1/org', { companyName }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setStatus(undefined);
    const saved = await save.run(name);
    if (saved) {
      setStatus('Org name saved.');
      onSaved(saved);
    }
  };
  return (
    <Panel id="org-heading" title="Organization">
      <ErrorNotice error={save.error} title="The org name was not saved" />
      <StatusNotice message={status} />
      <form className="stack" onSubmit={(e) => void submit(e)}>
        <TextField label="Org name" value={name} onChange={setName} required hint={`Shown to people on sign-in pages. The org's address (${org.subdomain}) does not change.`} />
        <div className="actions"><button type="submit" className="primary" disabled={save.busy}>{save.busy ? 'Saving…' : 'Save org name'}</button></div>
      </form>
    </Panel>
  );
}

type Draft = {
  minLength: string; historyCount: string; requireLowercase: boolean; requireUppercase: boolean; requireNumber: boolean; requireSymbol: boolean;
  excludeUsername: boolean; rejectCommonPasswords: boolean;
  maxAttempts: string; autoUnlockMinutes: string; showLockoutFailures: boolean;
  idleMinutes: string; maxLifetimeMinutes: string;
};

const draftOf = (s: OrgSettings): Draft => ({
  minLength: String(s.passwordPolicy.minLength), historyCount: String(s.passwordPolicy.historyCount),
  requireLowercase: s.passwordPolicy.requireLowercase, requireUppercase: s.passwordPolicy.requireUppercase,
  requireNumber: s.passwordPolicy.requireNumber, requireSymbol: s.passwordPolicy.requireSymbol,
  excludeUsername: s.passwordPolicy.excludeUsername, rejectCommonPasswords: s.passwordPolicy.rejectCommonPasswords,
  maxAttempts: String(s.lockout.maxAttempts), autoUnlockMinutes: s.lockout.autoUnlockMinutes === null ? '' : String(s.lockout.autoUnlockMinutes),
  showLockoutFailures: s.lockout.showLockoutFailures,
  idleMinutes: String(s.session.idleMinutes), maxLifetimeMinutes: String(s.session.maxLifetimeMinutes),
});

function SettingsForm({ settings, onSaved }: { settings: OrgSettings; onSaved: (s: OrgSettings) => void }) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(settings));
  const [status, setStatus] = useState<string | undefined>();
  useEffect(() => setDraft(draftOf(settings)), [settings]);
  const set = <K extends keyof Draft>(key: K) => (value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const save = useAction((body: unknown) => api.put<OrgSettings>('/api/v1/org/settings', body));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setStatus(undefined);
    const saved = await save.run({
      passwordPolicy: {
        ...settings.passwordPolicy,
        minLength: asNumber(draft.minLength), historyCount: asNumber(draft.historyCount),
        requireLowercase: draft.requireLowercase, requireUppercase: draft.requireUppercase, requireNumber: draft.requireNumber,
        requireSymbol: draft.requireSymbol, excludeUsername: draft.excludeUsername, rejectCommonPasswords: draft.rejectCommonPasswords,
      },
      lockout: {
        maxAttempts: asNumber(draft.maxAttempts),
        autoUnlockMinutes: draft.autoUnlockMinutes.trim() === '' ? null : asNumber(draft.autoUnlockMinutes),
        showLockoutFailures: draft.showLockoutFailures,
      },
      session: { idleMinutes: asNumber(draft.idleMinutes), maxLifetimeMinutes: asNumber(draft.maxLifetimeMinutes) },
    });
    if (saved) {
      setStatus('Settings saved.');
      onSaved(saved);
    }
  };

  return (
    <form className="stack" onSubmit={(e) => void submit(e)} aria-label="Security settings">
      <Panel id="session-heading" title="Sessions">
        <TextField label="Idle timeout (minutes)" type="number" value={draft.idleMinutes} onChange={set('idleMinutes')} hint="1 to 43200. A session unused this long ends." />
        <TextField label="Maximum session lifetime (minutes)" type="number" value={draft.maxLifetimeMinutes} onChange={set('maxLifetimeMinutes')} hint="1 to 43200." />
      </Panel>
      <Panel id="password-heading" title="Password policy">
        <TextField label="Minimum length" type="number" value={draft.minLength} onChange={set('minLength')} hint="8 to 256 characters." />
        <TextField label="Passwords remembered" type="number" value={draft.historyCount} onChange={set('historyCount')} hint="0 to 24: a new password may not repeat these." />
        <CheckboxField label="Require a lower-case letter" checked={draft.requireLowercase} onChange={set('requireLowercase')} />
        <CheckboxField label="Require an upper-case letter" checked={draft.requireUppercase} onChange={set('requireUppercase')} />
        <CheckboxField label="Require a number" checked={draft.requireNumber} onChange={set('requireNumber')} />
        <CheckboxField label="Require a symbol" checked={draft.requireSymbol} onChange={set('requireSymbol')} />
        <CheckboxField label="Must not contain the username" checked={draft.excludeUsername} onChange={set('excludeUsername')} />
        <CheckboxField label="Reject common passwords" checked={draft.rejectCommonPasswords} onChange={set('rejectCommonPasswords')} />
      </Panel>
      <Panel id="lockout-heading" title="Lockout">
        <TextField label="Failed sign-ins before lockout" type="number" value={draft.maxAttempts} onChange={set('maxAttempts')} hint="0 turns lockout off; at most 100." />
        <TextField label="Unlock automatically after (minutes)" type="number" value={draft.autoUnlockMinutes} onChange={set('autoUnlockMinutes')} hint="Leave empty so that only an administrator unlocks an account." />
        <CheckboxField label="Tell people their account is locked" checked={draft.showLockoutFailures} onChange={set('showLockoutFailures')} />
      </Panel>
      <ErrorNotice error={save.error} title="The settings were not saved" />
      <StatusNotice message={status} />
      <div className="actions"><button type="submit" className="primary" disabled={save.busy}>{save.busy ? 'Saving…' : 'Save settings'}</button></div>
    </form>
  );
}

function SettingsPage() {
  const org = useAsync(() => api.get<Org>('/api/v1/org'), []);
  const settings = useAsync(() => api.get<OrgSettings>('/api/v1/org/settings'), []);
  const [savedOrg, setSavedOrg] = useState<Org | undefined>();
  const [savedSettings, setSavedSettings] = useState<OrgSettings | undefined>();
  const currentOrg = savedOrg ?? org.data;
  const currentSettings = savedSettings ?? settings.data;
  return (
    <div className="stack">
      <PageHeader title="Org settings" description="The org's name, session lifetimes, password policy and lockout." />
      <ErrorNotice error={org.error} title="The org could not be loaded" />
      <ErrorNotice error={settings.error} title="The settings could not be loaded" />
      {currentOrg ? <OrgNameForm org={currentOrg} onSaved={setSavedOrg} /> : org.loading ? <Loading /> : null}
      {currentSettings ? <SettingsForm settings={currentSettings} onSaved={setSavedSettings} /> : settings.loading ? <Loading label="Loading settings…" /> : null}
    </div>
  );
}

export const sections: Section[] = [
  { group: 'Settings', label: 'Org settings', path: 'settings', scope: 'okta.orgs.read', routes: [{ path: 'settings', element: <SettingsPage /> }] },
];
