/**
 * `/admin/apps/new`: a custom app integration in two steps — the sign-on mode, then that mode's
 * settings — created through `POST /api/v1/apps` in Okta's shape.
 */
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../api.ts';
import { useAction } from '../../components/async.ts';
import { BackLink, ErrorNotice, PageHeader, SelectField, TextField } from '../../components/ui.tsx';
import { OnceSecret } from './OnceSecret.tsx';
import { swaSchemes, type App } from './types.ts';

type Choice = 'oidc-web' | 'oidc-spa' | 'oidc-native' | 'oidc-service' | 'saml' | 'wsfed' | 'swa' | 'bookmark';

const choices: { value: Choice; label: string; hint: string }[] = [
  { value: 'oidc-web', label: 'OIDC — Web application', hint: 'A server-side app that keeps a client secret.' },
  { value: 'oidc-spa', label: 'OIDC — Single-page application', hint: 'A browser app: authorization code with PKCE, no secret.' },
  { value: 'oidc-native', label: 'OIDC — Native application', hint: 'A desktop or mobile app: PKCE, custom-scheme or loopback redirects.' },
  { value: 'oidc-service', label: 'OIDC — Service (machine to machine)', hint: 'Client credentials only, no users.' },
  { value: 'saml', label: 'SAML 2.0', hint: 'The app is a SAML service provider.' },
  { value: 'wsfed', label: 'WS-Federation', hint: 'The app is a WS-Federation relying party.' },
  { value: 'swa', label: 'Secure web authentication (SWA)', hint: 'Lanyard signs people in to the app\'s own sign-in form with vaulted credentials.' },
  { value: 'bookmark', label: 'Bookmark', hint: 'A link on people\'s dashboards.' },
];

const lines = (text: string) => text.split(/\s+/).map((s) => s.trim()).filter(Boolean);

interface Form {
  label: string; redirectUris: string; logoutUris: string; acsUrl: string; audience: string; nameIdTemplate: string;
  replyUrl: string; realm: string; url: string; usernameField: string; passwordField: string; buttonField: string;
  scheme: string; launchMethod: string; sharedUserName: string; sharedPassword: string;
}

const empty: Form = {
  label: '', redirectUris: '', logoutUris: '', acsUrl: '', audience: '', nameIdTemplate: '', replyUrl: '', realm: '', url: '',
  usernameField: '', passwordField: '', buttonField: '', scheme: 'EDIT_USERNAME_AND_PASSWORD', launchMethod: 'FORM_POST', sharedUserName: '', sharedPassword: '',
};

/** The body of `POST /api/v1/apps` for the chosen mode. */
export function appBody(choice: Choice, f: Form): Record<string, unknown> {
  const label = f.label.trim();
  if (choice.startsWith('oidc-')) {
    const type = choice.slice(5);
    const applicationType = type === 'spa' ? 'browser' : type;
    const grants = type === 'service' ? ['client_credentials'] : ['authorization_code', ...(type === 'spa' ? [] : ['refresh_token'])];
    return {
      name: 'oidc_client', label, signOnMode: 'OPENID_CONNECT',
      credentials: { oauthClient: { token_endpoint_auth_method: type === 'web' || type === 'service' ? 'client_secret_basic' : 'none', autoKeyRotation: true } },
      settings: {
        oauthClient: {
          application_type: applicationType, grant_types: grants,
          response_types: type === 'service' ? ['token'] : ['code'],
          ...(type === 'service' ? {} : { redirect_uris: lines(f.redirectUris) }),
          ...(lines(f.logoutUris).length ? { post_logout_redirect_uris: lines(f.logoutUris) } : {}),
        },
      },
    };
  }
  if (choice === 'saml') {
    return {
      label, signOnMode: 'SAML_2_0',
      settings: { signOn: { ssoAcsUrl: f.acsUrl.trim(), audience: f.audience.trim(), ...(f.nameIdTemplate.trim() ? { subjectNameIdTemplate: f.nameIdTemplate.trim() } : {}) } },
    };
  }
  if (choice === 'wsfed') {
    return { name: 'template_wsfed', label, signOnMode: 'WS_FEDERATION', settings: { app: { wReplyURL: f.replyUrl.trim(), ...(f.realm.trim() ? { realm: f.realm.trim() } : {}) } } };
  }
  if (choice === 'swa') {
    const shared = f.scheme === 'SHARED_USERNAME_AND_PASSWORD';
    return {
      name: 'template_swa', label, signOnMode: 'BROWSER_PLUGIN',
      credentials: { scheme: f.scheme, ...(shared ? { userName: f.sharedUserName.trim(), password: { value: f.sharedPassword } } : {}) },
      settings: {
        app: {
          url: f.url.trim(), usernameField: f.usernameField.trim(), passwordField: f.passwordField.trim(),
          ...(f.buttonField.trim() ? { buttonField: f.buttonField.trim() } : {}), launchMethod: f.launchMethod,
        },
      },
    };
  }
  return { name: 'bookmark', label, signOnMode: 'BOOKMARK', settings: { app: { url: f.url.trim() } } };
}

export function CreateApp() {
  const navigate = useNavigate();
  const [step, setStep] = useState<1 | 2>(1);
  const [choice, setChoice] = useState<Choice>('oidc-web');
  const [form, setForm] = useState<Form>(empty);
  const [created, setCreated] = useState<App>();
  const set = (key: keyof Form) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  const create = useAction(async () => api.post<App>('/api/v1/apps?activate=true', appBody(choice, form)));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const app = await create.run();
    if (!app) return;
    if (app.credentials?.oauthClient?.client_id) setCreated(app);
    else navigate(`/apps/${encodeURIComponent(app.id)}`);
  }

  if (created) {
    const client = created.credentials?.oauthClient;
    return (
      <div className="stack">
        <PageHeader title={`${created.label} created`} />
        <OnceSecret clientId={client?.client_id} secret={client?.client_secret} />
        <p><button type="button" className="primary" onClick={() => navigate(`/apps/${encodeURIComponent(created.id)}`)}>Go to the app</button></p>
      </div>
    );
  }

  const chosen = choices.find((c) => c.value === choice)!;
  return (
    <div className="stack">
      <BackLink to="/apps">Applications</BackLink>
      <PageHeader title="Create app integration" description={`Step ${step} of 2: ${step === 1 ? 'sign-on mode' : chosen.label}`} />
      {step === 1 ? (
        <form className="card stack" onSubmit={(e) => { e.preventDefault(); setStep(2); }}>
          <fieldset>
            <legend>Sign-on mode</legend>
            {choices.map((c) => (
              <div className="field checkbox" key={c.value}>
                <input type="radio" id={`mode-${c.value}`} name="mode" value={c.value} checked={choice === c.value}
                  onChange={() => setChoice(c.value)} aria-describedby={`mode-${c.value}-hint`} />
                <label htmlFor={`mode-${c.value}`}>{c.label}</label>
                <p className="hint" id={`mode-${c.value}-hint`}>{c.hint}</p>
              </div>
            ))}
          </fieldset>
          <p><button type="submit" className="primary">Next</button></p>
        </form>
      ) : (
        <form className="card stack" onSubmit={(e) => void submit(e)}>
          <ErrorNotice error={create.error} title="The app could not be created" />
          <TextField label="App name" value={form.label} onChange={set('label')} required />
          {choice.startsWith('oidc-') && choice !== 'oidc-service' ? (
            <>
              <TextField label="Sign-in redirect URIs" hint="One per line." value={form.redirectUris} onChange={set('redirectUris')} multiline required />
              <TextField label="Sign-out redirect URIs" hint="Optional, one per line." value={form.logoutUris} onChange={set('logoutUris')} multiline />
            </>
          ) : null}
          {choice === 'saml' ? (
            <>
              <TextField label="Single sign-on URL (ACS URL)" value={form.acsUrl} onChange={set('acsUrl')} type="url" required />
              <TextField label="Audience URI (SP entity ID)" value={form.audience} onChange={set('audience')} required />
              <TextField label="Name ID template" hint="Optional; by default ${user.userName}." value={form.nameIdTemplate} onChange={set('nameIdTemplate')} />
            </>
          ) : null}
          {choice === 'wsfed' ? (
            <>
              <TextField label="Reply URL" value={form.replyUrl} onChange={set('replyUrl')} type="url" required />
              <TextField label="Realm" hint="Optional; Lanyard generates one when empty." value={form.realm} onChange={set('realm')} />
            </>
          ) : null}
          {choice === 'swa' || choice === 'bookmark' ? (
            <TextField label={choice === 'swa' ? 'Login URL' : 'URL'} value={form.url} onChange={set('url')} type="url" required />
          ) : null}
          {choice === 'swa' ? (
            <>
              <TextField label="Username field" hint="The CSS selector or name of the sign-in form's username input." value={form.usernameField} onChange={set('usernameField')} required />
              <TextField label="Password field" hint="The CSS selector or name of the password input." value={form.passwordField} onChange={set('passwordField')} required />
              <TextField label="Sign-in button" hint="Optional CSS selector of the submit button." value={form.buttonField} onChange={set('buttonField')} />
              <SelectField label="Credentials" value={form.scheme} onChange={set('scheme')} options={swaSchemes} />
              {form.scheme === 'SHARED_USERNAME_AND_PASSWORD' ? (
                <>
                  <TextField label="Shared user name" value={form.sharedUserName} onChange={set('sharedUserName')} required autoComplete="off" />
                  <TextField label="Shared password" type="password" value={form.sharedPassword} onChange={set('sharedPassword')} required autoComplete="new-password" />
                </>
              ) : null}
              <SelectField label="Launch method" value={form.launchMethod} onChange={set('launchMethod')}
                options={[{ value: 'FORM_POST', label: 'Lanyard posts the sign-in form' }, { value: 'EXTENSION', label: 'The browser extension fills the app\'s page' }]} />
            </>
          ) : null}
          <div className="actions">
            <button type="button" onClick={() => setStep(1)}>Back</button>
            <button type="submit" className="primary" disabled={create.busy}>{create.busy ? 'Creating…' : 'Create app'}</button>
          </div>
        </form>
      )}
    </div>
  );
}
