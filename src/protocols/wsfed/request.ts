/**
 * The WS-Federation passive requestor protocol's query parameters (`wa`, `wtrealm`, `wreply`,
 * `wctx`, `wfresh`), checked as text; whether a realm or reply URL belongs to the app is the
 * caller's decision.
 */
import { SamlError } from '../saml/xml.ts';

export type WsFedAction = 'wsignin1.0' | 'wsignout1.0' | 'wsignoutcleanup1.0';

export interface WsFedRequest {
  readonly action: WsFedAction;
  readonly realm: string | undefined;
  readonly reply: string | undefined;
  /** Opaque context the relying party gets back unchanged. */
  readonly context: string | undefined;
  /** Minutes since the user signed in beyond which the relying party wants a fresh sign-in (`wfresh`). */
  readonly freshness: number | undefined;
}

const maxParameter = 2048;

function optional(query: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new SamlError('invalid', `${name} must be given once.`);
  if (value.length > maxParameter) throw new SamlError('too_large', `${name} is too long.`);
  return value;
}

export function readWsFedRequest(query: Readonly<Record<string, unknown>>): WsFedRequest {
  const action = optional(query, 'wa');
  if (action !== 'wsignin1.0' && action !== 'wsignout1.0' && action !== 'wsignoutcleanup1.0') {
    throw new SamlError('unsupported', 'wa must be wsignin1.0, wsignout1.0 or wsignoutcleanup1.0.');
  }
  const realm = optional(query, 'wtrealm');
  if (action === 'wsignin1.0' && !realm) throw new SamlError('invalid', 'wtrealm is required to sign in.');
  const fresh = optional(query, 'wfresh');
  if (fresh !== undefined && !/^\d{1,6}$/.test(fresh)) throw new SamlError('invalid', 'wfresh must be a number of minutes.');
  return { action, realm, reply: optional(query, 'wreply'), context: optional(query, 'wctx'), freshness: fresh === undefined ? undefined : Number(fresh) };
}
