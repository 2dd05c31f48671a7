/**
 * From a manifest, one sign-on mode and the customer's tenant variables to the body of an
 * ordinary `/api/v1/apps` app, in Okta's shape per mode. The apps service then checks that body
 * exactly as it checks one an admin types, so an instance is never more trusted than a custom app.
 */
import { z } from 'zod';
import type { Manifest, ManifestSignOnMode, TenantVariable } from './manifest.ts';
import { modesOf, variableValueProblem } from './manifest.ts';
import { renderTenantTemplate } from './templates.ts';

export const instanceVariablesSchema = z.record(z.string().max(40), z.string({ error: 'must be a string' }).max(256, 'must be at most 256 characters'))
  .refine((v) => Object.keys(v).length <= 15, 'must have at most 15 entries');

/** The causes (`variables.name: message`) that make `values` unusable, or none. */
export function variableProblems(variables: readonly TenantVariable[], values: Readonly<Record<string, string>>): string[] {
  const causes: string[] = [];
  const known = new Set(variables.map((v) => v.name));
  for (const name of Object.keys(values)) {
    if (!known.has(name)) causes.push(`variables.${name}: is not a variable of this integration (it has ${[...known].join(', ') || 'none'})`);
  }
  for (const variable of variables) {
    const value = Object.hasOwn(values, variable.name) ? values[variable.name]!.trim() : '';
    if (value === '') {
      if (variable.required) causes.push(`variables.${variable.name}: is required (${variable.label}, for example ${variable.example})`);
      continue;
    }
    const problem = variableValueProblem(variable, value);
    if (problem) causes.push(`variables.${variable.name}: ${problem} (for example ${variable.example})`);
  }
  return causes;
}

/** Every optional variable the customer left out renders as empty text. */
function completeValues(variables: readonly TenantVariable[], values: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(variables.map((v) => [v.name, (Object.hasOwn(values, v.name) ? values[v.name]! : '').trim()]));
}

/** A deep copy of `value` with tenant variables filled into every string. */
function renderDeep<T>(value: T, values: Readonly<Record<string, string>>): T {
  if (typeof value === 'string') return renderTenantTemplate(value, values) as T;
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, values)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, values)])) as T;
  return value;
}

/** The app body for the apps service, and what else the instance keeps. */
export interface RenderedApp {
  readonly mode: ManifestSignOnMode;
  readonly body: {
    readonly name?: string;
    readonly label: string;
    readonly signOnMode: 'OPENID_CONNECT' | 'SAML_2_0' | 'WS_FEDERATION' | 'BROWSER_PLUGIN';
    readonly settings: Record<string, unknown>;
    readonly credentials: Record<string, unknown>;
  };
  /** The mode's setup instructions with tenant variables filled in (Lanyard's values come later). */
  readonly instructions: string | undefined;
}

export class RenderError extends Error {
  readonly causes: readonly string[];
  constructor(causes: string[]) {
    super(causes.join('; '));
    this.causes = causes;
  }
}

/**
 * Renders one mode of `manifest` for one customer. Throws {@link RenderError} when the mode is not
 * offered or a variable is missing or wrong; the result still has to pass the apps service.
 */
export function renderApp(manifest: Manifest, mode: ManifestSignOnMode | undefined, rawValues: Readonly<Record<string, string>>,
  label?: string): RenderedApp {
  const modes = modesOf(manifest);
  const chosen = mode ?? modes[0]!;
  if (!modes.includes(chosen)) throw new RenderError([`signOnMode: ${manifest.name} offers ${modes.join(', ')}, not ${chosen}`]);
  const problems = variableProblems(manifest.variables, rawValues);
  if (problems.length > 0) throw new RenderError(problems);
  const values = completeValues(manifest.variables, rawValues);
  const appLabel = label ?? manifest.name;
  const instructionsOf = (text: string | undefined) => (text === undefined ? undefined : renderTenantTemplate(text, values));

  switch (chosen) {
    case 'oidc': {
      const o = renderDeep(manifest.signOn.oidc!, values);
      const auth = o.tokenEndpointAuthMethod ?? (o.applicationType === 'web' ? 'client_secret_basic' : 'none');
      return {
        mode: chosen,
        instructions: instructionsOf(manifest.signOn.oidc!.instructions),
        body: {
          label: appLabel, signOnMode: 'OPENID_CONNECT',
          settings: {
            oauthClient: {
              application_type: o.applicationType, client_uri: manifest.website,
              redirect_uris: o.redirectUris, post_logout_redirect_uris: o.postLogoutRedirectUris,
              grant_types: o.grantTypes, initiate_login_uri: o.initiateLoginUri ?? null,
              ...(o.backchannelLogoutUri ? { backchannel_logout_uri: o.backchannelLogoutUri } : {}),
            },
          },
          credentials: { oauthClient: { token_endpoint_auth_method: auth, ...(o.pkceRequired !== undefined ? { pkce_required: o.pkceRequired } : {}) } },
        },
      };
    }
    case 'saml': {
      const s = renderDeep(manifest.signOn.saml!, values);
      const acsUrls = [s.acsUrl, ...s.additionalAcsUrls];
      const statements: Record<string, unknown>[] = s.attributes.map((a) => ({
        type: 'EXPRESSION', name: a.name, ...(a.nameFormat ? { namespace: a.nameFormat } : {}), values: [a.value],
      }));
      if (s.groups) {
        statements.push({
          type: 'GROUP', name: s.groups.name, ...(s.groups.nameFormat ? { namespace: s.groups.nameFormat } : {}),
          filterType: s.groups.filterType, filterValue: s.groups.filterValue,
        });
      }
      return {
        mode: chosen,
        instructions: instructionsOf(manifest.signOn.saml!.instructions),
        body: {
          name: manifest.id, label: appLabel, signOnMode: 'SAML_2_0',
          settings: {
            signOn: {
              ssoAcsUrl: s.acsUrl, audience: s.audience, recipient: s.recipient ?? s.acsUrl, destination: s.destination ?? s.acsUrl,
              defaultRelayState: s.defaultRelayState ?? null,
              subjectNameIdTemplate: s.nameIdValue, subjectNameIdFormat: s.nameIdFormat,
              responseSigned: s.responseSigned, assertionSigned: s.assertionSigned,
              signatureAlgorithm: s.signatureAlgorithm, digestAlgorithm: s.digestAlgorithm,
              allowMultipleAcsEndpoints: acsUrls.length > 1,
              acsEndpoints: acsUrls.length > 1 ? acsUrls.map((url, index) => ({ url, index })) : [],
              attributeStatements: statements,
            },
          },
          credentials: {},
        },
      };
    }
    case 'wsfed': {
      const w = renderDeep(manifest.signOn.wsfed!, values);
      return {
        mode: chosen,
        instructions: instructionsOf(manifest.signOn.wsfed!.instructions),
        body: {
          label: appLabel, signOnMode: 'WS_FEDERATION',
          settings: {
            app: {
              realm: w.realm, wReplyURL: w.replyUrl, nameIDFormat: w.nameIdFormat,
              attributeStatements: w.claims.length > 0 ? w.claims.map((c) => `${c.name}|${c.value}`).join(',') : null,
              groupFilter: w.groupFilter ?? null,
            },
          },
          credentials: {},
        },
      };
    }
    case 'swa': {
      const w = renderDeep(manifest.signOn.swa!, values);
      return {
        mode: chosen,
        instructions: instructionsOf(manifest.signOn.swa!.instructions),
        body: {
          name: 'template_swa', label: appLabel, signOnMode: 'BROWSER_PLUGIN',
          settings: {
            app: {
              url: w.loginUrl, usernameField: w.usernameField, passwordField: w.passwordField, buttonField: w.submitButton ?? null,
              extraFields: w.extraFields,
            },
          },
          credentials: {},
        },
      };
    }
  }
}

/** The tenant-variable values of the manifest's examples: what a test renders with. */
export function exampleValues(manifest: Manifest): Record<string, string> {
  return Object.fromEntries(manifest.variables.map((v) => [v.name, v.example]));
}
