/**
 * The App Integration Wizard's form: it builds a manifest (name, vendor, sign-on modes, SCIM
 * provisioning, logo, tenant variables, setup instructions, contacts) and the test instance's
 * values, and posts them to `POST /api/v1/integrations`. The server checks every rule and answers
 * with one cause per field.
 */
import { useState } from 'react';
import { api } from '../../api.ts';
import { useAction } from '../../components/async.ts';
import { CheckboxField, ErrorNotice, Loading, SelectField, TextField } from '../../components/ui.tsx';
import { modeLabels } from './network-ui.tsx';

const categories = [
  'Analytics', 'Cloud infrastructure', 'Collaboration', 'Communication', 'CRM', 'Customer support', 'Data platform', 'Design',
  'Developer tools', 'Documentation', 'HR', 'Incident management', 'IT service management', 'Monitoring', 'Networking',
  'Productivity', 'Project management', 'Security', 'Storage', 'Other',
];
const variableTypes = ['text', 'subdomain', 'host', 'url'];
const modes = ['oidc', 'saml', 'wsfed', 'swa'] as const;
type Mode = (typeof modes)[number];
const operations = ['create', 'update', 'deactivate', 'reactivate', 'groupPush', 'importUsers', 'passwordSync'] as const;

interface Variable { name: string; label: string; type: string; example: string; testValue: string }

interface ModeFields { [field: string]: string }

const emptyModes: Record<Mode, ModeFields> = {
  oidc: { applicationType: 'web', redirectUri: '', initiateLoginUri: '', instructions: '' },
  saml: { acsUrl: '', audience: '', nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress', nameIdValue: '${user.email}', instructions: '' },
  wsfed: { realm: '', replyUrl: '', instructions: '' },
  swa: { loginUrl: '', usernameField: '', passwordField: '', instructions: '' },
};

const optional = (value: string) => (value.trim() ? value.trim() : undefined);

function signOnBlock(mode: Mode, f: ModeFields): Record<string, unknown> {
  const instructions = optional(f.instructions ?? '');
  switch (mode) {
    case 'oidc':
      return { applicationType: f.applicationType, redirectUris: [f.redirectUri?.trim()], initiateLoginUri: optional(f.initiateLoginUri ?? ''), instructions };
    case 'saml':
      return { acsUrl: f.acsUrl?.trim(), audience: f.audience?.trim(), nameIdFormat: f.nameIdFormat, nameIdValue: f.nameIdValue, instructions };
    case 'wsfed':
      return { realm: f.realm?.trim(), replyUrl: f.replyUrl?.trim(), instructions };
    case 'swa':
      return { loginUrl: f.loginUrl?.trim(), usernameField: f.usernameField?.trim(), passwordField: f.passwordField?.trim(), instructions };
  }
}

const fieldLabels: Record<Mode, Record<string, string>> = {
  oidc: { redirectUri: 'Redirect URI', initiateLoginUri: 'Initiate login URI (optional)' },
  saml: { acsUrl: 'Assertion consumer service URL', audience: 'Audience (SP entity ID)', nameIdValue: 'NameID value' },
  wsfed: { realm: 'Realm', replyUrl: 'Reply URL' },
  swa: { loginUrl: 'Sign-in page URL', usernameField: 'Username field selector', passwordField: 'Password field selector' },
};

async function readLogo(file: File): Promise<{ mediaType: string; data: string }> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return { mediaType: file.type || (file.name.endsWith('.png') ? 'image/png' : 'image/svg+xml'), data: btoa(binary) };
}

export function Wizard({ onCreated }: { onCreated: (id: string, version: string) => void }) {
  const [basics, setBasics] = useState({ id: '', name: '', vendorName: '', vendorWebsite: '', website: '', category: 'Other', description: '', supportEmail: '', docsUrl: '', tier: 'community' });
  const [enabled, setEnabled] = useState<Record<Mode, boolean>>({ oidc: false, saml: true, wsfed: false, swa: false });
  const [modeFields, setModeFields] = useState(emptyModes);
  const [variables, setVariables] = useState<Variable[]>([]);
  const [scim, setScim] = useState({ on: false, baseUrl: '', authScheme: 'bearer', instructions: '', operations: { create: true, update: true, deactivate: true } as Record<string, boolean> });
  const [logo, setLogo] = useState<File>();
  const [testMode, setTestMode] = useState('');
  const set = (k: keyof typeof basics) => (value: string) => setBasics((b) => ({ ...b, [k]: value }));
  const setMode = (mode: Mode, field: string) => (value: string) => setModeFields((all) => ({ ...all, [mode]: { ...all[mode], [field]: value } }));
  const setVariable = (i: number, change: Partial<Variable>) => setVariables((all) => all.map((v, j) => (j === i ? { ...v, ...change } : v)));
  const chosen = modes.filter((m) => enabled[m]);

  const create = useAction(async () => {
    const manifest: Record<string, unknown> = {
      id: basics.id.trim(), name: basics.name.trim(),
      vendor: { name: basics.vendorName.trim(), website: basics.vendorWebsite.trim() },
      website: basics.website.trim(), category: basics.category, description: basics.description.trim(), tier: basics.tier,
      variables: variables.map((v) => ({ name: v.name.trim(), label: v.label.trim(), type: v.type, example: v.example.trim() })),
      signOn: Object.fromEntries(chosen.map((m) => [m, signOnBlock(m, modeFields[m])])),
      contacts: { support: { email: basics.supportEmail.trim() } },
      ...(optional(basics.docsUrl) ? { docsUrl: basics.docsUrl.trim() } : {}),
      ...(scim.on ? {
        provisioning: {
          scim: { baseUrl: scim.baseUrl.trim(), authScheme: scim.authScheme, operations: scim.operations },
          ...(optional(scim.instructions) ? { instructions: scim.instructions.trim() } : {}),
        },
      } : {}),
      ...(logo ? { logo: await readLogo(logo) } : {}),
    };
    const testVariables = Object.fromEntries(variables.filter((v) => v.testValue.trim()).map((v) => [v.name.trim(), v.testValue.trim()]));
    const made = await api.post<{ id: string; versions: { version: string }[] }>('/api/v1/integrations', {
      manifest, ...(Object.keys(testVariables).length ? { testVariables } : {}), ...(testMode ? { testSignOnMode: testMode } : {}),
    });
    onCreated(made.id, made.versions[0]!.version);
  });

  return (
    <form className="wizard" noValidate onSubmit={(e) => { e.preventDefault(); void create.run(); }} aria-describedby="wizard-hint">
      <p id="wizard-hint" className="hint">Fields marked * are required. Templates may use tenant variables as {'${org.name}'}; setup instructions may use {'${lanyard.metadataUrl}'}, {'${lanyard.issuer}'} and the like.</p>
      <fieldset>
        <legend>About the app</legend>
        <div className="row">
          <TextField label="Integration id" required value={basics.id} onChange={set('id')} hint='Lower-case letters, digits and hyphens, e.g. "acme-crm". It never changes.' />
          <TextField label="App name" required value={basics.name} onChange={set('name')} />
          <SelectField label="Category" value={basics.category} onChange={set('category')} options={categories.map((c) => ({ value: c, label: c }))} />
        </div>
        <TextField label="Description" required value={basics.description} onChange={set('description')} hint="One paragraph, at most 500 characters." />
        <div className="row">
          <TextField label="Vendor name" required value={basics.vendorName} onChange={set('vendorName')} />
          <TextField label="Vendor website" required type="url" value={basics.vendorWebsite} onChange={set('vendorWebsite')} placeholder="https://" />
          <TextField label="App website" required type="url" value={basics.website} onChange={set('website')} placeholder="https://" />
        </div>
        <div className="row">
          <TextField label="Support email" required type="email" value={basics.supportEmail} onChange={set('supportEmail')} />
          <TextField label="Documentation URL" type="url" value={basics.docsUrl} onChange={set('docsUrl')} />
          <SelectField label="Tier to ask for" value={basics.tier} onChange={set('tier')} options={[{ value: 'community', label: 'Community' }, { value: 'verified', label: 'Verified' }]}
            hint="Verified needs technical, business and escalation contacts: add them in the draft's manifest." />
        </div>
        <div className="field">
          <label htmlFor="wizard-logo">Logo (SVG or PNG)</label>
          <input id="wizard-logo" type="file" accept="image/svg+xml,image/png" aria-describedby="wizard-logo-hint" onChange={(e) => setLogo(e.target.files?.[0])} />
          <p className="hint" id="wizard-logo-hint">Optional: without one, a logo is drawn from the app's initials.</p>
        </div>
      </fieldset>

      <fieldset>
        <legend>Tenant variables</legend>
        <p className="hint">What each customer fills in (their subdomain, host…), used in templates as {'${org.name}'}. The test value is your own test instance's.</p>
        {variables.map((v, i) => (
          <div key={i} className="row mode" role="group" aria-label={`Variable ${i + 1}`}>
            <TextField label={`Variable ${i + 1} name`} value={v.name} onChange={(name) => setVariable(i, { name })} />
            <TextField label={`Variable ${i + 1} label`} value={v.label} onChange={(label) => setVariable(i, { label })} />
            <SelectField label={`Variable ${i + 1} type`} value={v.type} onChange={(type) => setVariable(i, { type })} options={variableTypes.map((t) => ({ value: t, label: t }))} />
            <TextField label={`Variable ${i + 1} example`} value={v.example} onChange={(example) => setVariable(i, { example })} />
            <TextField label={`Variable ${i + 1} test value`} value={v.testValue} onChange={(testValue) => setVariable(i, { testValue })} />
            <div className="field"><button type="button" onClick={() => setVariables((all) => all.filter((_, j) => j !== i))}>Remove variable {i + 1}</button></div>
          </div>
        ))}
        <button type="button" onClick={() => setVariables((all) => [...all, { name: '', label: '', type: 'text', example: '', testValue: '' }])}>Add variable</button>
      </fieldset>

      <fieldset>
        <legend>Sign-on modes</legend>
        {modes.map((m) => (
          <div key={m} className="mode">
            <CheckboxField label={modeLabels[m]!} checked={enabled[m]} onChange={(on) => setEnabled((all) => ({ ...all, [m]: on }))} />
            {enabled[m] ? (
              <div className="row">
                {m === 'oidc' ? <SelectField label="OpenID Connect application type" value={modeFields.oidc.applicationType!} onChange={setMode('oidc', 'applicationType')}
                  options={[{ value: 'web', label: 'Web (confidential)' }, { value: 'browser', label: 'Single-page (public)' }, { value: 'native', label: 'Native' }]} /> : null}
                {Object.entries(fieldLabels[m]).map(([field, label]) => (
                  <TextField key={field} label={`${modeLabels[m]} ${label.charAt(0).toLowerCase()}${label.slice(1)}`} value={modeFields[m][field] ?? ''} onChange={setMode(m, field)} />
                ))}
              </div>
            ) : null}
            {enabled[m] ? <TextField label={`${modeLabels[m]} setup instructions`} multiline value={modeFields[m].instructions ?? ''} onChange={setMode(m, 'instructions')}
              hint="What a customer's administrator does in your app to connect it." /> : null}
          </div>
        ))}
        {chosen.length > 1 ? <SelectField label="Sign-on mode of the test instance" value={testMode} onChange={setTestMode}
          options={[{ value: '', label: 'The first one' }, ...chosen.map((m) => ({ value: m, label: modeLabels[m]! }))]} /> : null}
      </fieldset>

      <fieldset>
        <legend>Provisioning</legend>
        <CheckboxField label="Provisions users with SCIM 2.0" checked={scim.on} onChange={(on) => setScim((s) => ({ ...s, on }))} />
        {scim.on ? (
          <>
            <div className="row">
              <TextField label="SCIM base URL" value={scim.baseUrl} onChange={(baseUrl) => setScim((s) => ({ ...s, baseUrl }))} />
              <SelectField label="SCIM authentication" value={scim.authScheme} onChange={(authScheme) => setScim((s) => ({ ...s, authScheme }))}
                options={[{ value: 'bearer', label: 'Bearer token' }, { value: 'basic', label: 'Basic' }, { value: 'oauth2_client_credentials', label: 'OAuth 2.0 client credentials' }]} />
            </div>
            <div className="row">
              {operations.map((op) => (
                <CheckboxField key={op} label={`SCIM operation: ${op}`} checked={!!scim.operations[op]}
                  onChange={(on) => setScim((s) => ({ ...s, operations: { ...s.operations, [op]: on } }))} />
              ))}
            </div>
            <TextField label="Provisioning setup instructions" multiline value={scim.instructions} onChange={(instructions) => setScim((s) => ({ ...s, instructions }))} />
          </>
        ) : null}
      </fieldset>

      <ErrorNotice error={create.error} title="The integration was not created" />
      {create.busy ? <Loading label="Creating the draft and its test instance…" /> : null}
      <div className="toolbar"><button type="submit" className="primary" disabled={create.busy}>Create draft</button></div>
    </form>
  );
}
