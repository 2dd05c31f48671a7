/**
 * The WS-Federation passive requestor protocol's query parameters (`wa`, `wtrealm`, `wreply`,
 * `wctx`, `wfresh`, and the token type a `wreq` asks for), checked as text; whether a realm or
 * reply URL belongs to the app is the caller's decision.
 */
import { SamlError, children, isElement, parseXml, text } from '../saml/xml.ts';

export type WsFedAction = 'wsignin1.0' | 'wsignout1.0' | 'wsignoutcleanup1.0';
export type WsFedTokenType = 'saml11' | 'saml20';

export interface WsFedRequest {
  readonly action: WsFedAction;
  readonly realm: string | undefined;
  readonly reply: string | undefined;
  /** Opaque context the relying party gets back unchanged. */
  readonly context: string | undefined;
  /** Minutes since the user signed in beyond which the relying party wants a fresh sign-in (`wfresh`). */
  readonly freshness: number | undefined;
  /** The token type a `wreq` RequestSecurityToken asks for; undefined leaves the app's own. */
  readonly tokenType: WsFedTokenType | undefined;
}

const maxParameter = 2048;
const maxRequest = 4096;

/** The ws-trust namespaces relying parties write `wreq` in: WS-Trust 2005/02 (WIF) and 1.3. */
const trustNamespaces = ['http://schemas.xmlsoap.org/ws/2005/02/trust', 'http://docs.oasis-open.org/ws-sx/ws-trust/200512'];

/** Token type URIs as ADFS and WIF write them (assertion namespaces and the WSS SAML token profile's). */
const tokenTypeUris: Readonly<Record<string, WsFedTokenType>> = {
  'urn:oasis:names:tc:SAML:1.0:assertion': 'saml11',
  'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1': 'saml11',
  'urn:oasis:names:tc:SAML:2.0:assertion': 'saml20',
  'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0': 'saml20',
};

function optional(query: Readonly<Record<string, unknown>>, name: string, max = maxParameter): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new SamlError('invalid', `${name} must be given once.`);
  if (value.length > max) throw new SamlError('too_large', `${name} is too long.`);
  return value;
}

/** The token type of `wreq`: a `<RequestSecurityToken>` whose `<TokenType>` names SAML 1.1 or SAML 2.0. */
export function requestedTokenType(wreq: string): WsFedTokenType | undefined {
  const root = parseXml(wreq, maxRequest).documentElement!;
  if (root.localName !== 'RequestSecurityToken' || !trustNamespaces.includes(root.namespaceURI ?? '')) {
    throw new SamlError('invalid', 'wreq must be a RequestSecurityToken.');
  }
  const types = children(root, root.namespaceURI!, 'TokenType');
  if (types.length > 1) throw new SamlError('invalid', 'wreq names more than one TokenType.');
  if (types.length === 0) return undefined;
  // Only text: a TokenType holding elements is no URI.
  for (let node = types[0]!.firstChild; node; node = node.nextSibling) {
    if (isElement(node)) throw new SamlError('invalid', 'wreq has a TokenType that is not a URI.');
  }
  const uri = text(types[0]) ?? '';
  const type = tokenTypeUris[uri];
  if (!type) throw new SamlError('unsupported', 'wreq asks for a token type Lanyard does not issue (SAML 1.1 and SAML 2.0 assertions only).');
  return type;
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
  const wreq = optional(query, 'wreq', maxRequest);
  return {
    action, realm, reply: optional(query, 'wreply'), context: optional(query, 'wctx'),
    freshness: fresh === undefined ? undefined : Number(fresh),
    tokenType: wreq === undefined || wreq === '' ? undefined : requestedTokenType(wreq),
  };
}
