/**
 * Reading a service provider's `<samlp:AuthnRequest>` from the HTTP-Redirect or HTTP-POST
 * binding: decoded within limits, its signature checked when present (and required when the app
 * says so), and its fields read only from what was signed.
 */
import type { Element } from '@xmldom/xmldom';
import { verifyElementSignature, verifyRedirectQuery } from './signature.ts';
import {
  attr, children, decodeBase64, decodePostMessage, inflateRedirectMessage, ns, optionalChild, parseXml, requireRoot, SamlError, text,
} from './xml.ts';

export type Binding = 'redirect' | 'post';

export const bindingUris = {
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
} as const;

export interface AuthnRequest {
  readonly id: string;
  readonly issueInstant: Date;
  readonly issuer: string | undefined;
  readonly destination: string | undefined;
  readonly assertionConsumerServiceUrl: string | undefined;
  readonly assertionConsumerServiceIndex: number | undefined;
  readonly protocolBinding: string | undefined;
  readonly forceAuthn: boolean;
  readonly isPassive: boolean;
  readonly nameIdPolicy: { readonly format: string | undefined; readonly allowCreate: boolean | undefined } | undefined;
  readonly requestedAuthnContext: { readonly comparison: string; readonly classRefs: readonly string[] } | undefined;
  /** How the request was signed, if it was. */
  readonly signed: 'redirect' | 'embedded' | undefined;
}

export interface RequestVerification {
  /** The service provider's certificates (base64 DER or PEM). */
  readonly certificates: readonly string[];
  /** Refuse an unsigned request. */
  readonly required: boolean;
  readonly allowSha1: boolean;
}

/**
 * Decodes a message as its binding carries it. Some service providers deflate POST-binding
 * messages too (Okta's "request compressed"): a POST message that is not XML is inflated, within
 * the same limits as the Redirect binding.
 */
export function decodeMessage(binding: Binding, encoded: string): string {
  if (binding === 'redirect') return inflateRedirectMessage(encoded);
  const bytes = decodeBase64(encoded);
  const first = bytes.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0xef && b !== 0xbb && b !== 0xbf);
  return first === 0x3c /* < */ ? decodePostMessage(encoded) : inflateRedirectMessage(encoded);
}

function booleanAttr(element: Element, name: string): boolean | undefined {
  const value = attr(element, name);
  if (value === undefined) return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new SamlError('invalid', `${name} must be true or false.`);
}

/** Reads an xs:dateTime strictly (SAML requires UTC with a Z). */
export function readInstant(value: string | undefined, name: string): Date {
  if (!value || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value)) throw new SamlError('invalid', `${name} must be a UTC date-time.`);
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new SamlError('invalid', `${name} is not a valid date-time.`);
  return date;
}

/** The checked `ID` and `Version` of a SAML 2.0 protocol message. */
export function readMessageId(root: Element): string {
  if (attr(root, 'Version') !== '2.0') throw new SamlError('unsupported', 'Only SAML 2.0 messages are accepted.');
  const id = attr(root, 'ID');
  if (!id || !/^[A-Za-z_][\w.-]{0,255}$/.test(id)) throw new SamlError('invalid', 'The message ID is missing or not an NCName.');
  return id;
}

/**
 * Decodes a protocol message from a service provider, checks its root element, and verifies its
 * signature: in the query for the Redirect binding (an embedded one is then ignored, bindings
 * §3.4.4.1), enveloped in the root for POST. Returns the root to read from: for an embedded
 * signature, the element as it was signed.
 */
export function readSignedMessage(binding: Binding, parameter: 'SAMLRequest' | 'SAMLResponse', encoded: string, rawQuery: string,
  rootName: string, verification: RequestVerification): { root: Element; signed: 'redirect' | 'embedded' | undefined } {
  const doc = parseXml(decodeMessage(binding, encoded));
  let root = requireRoot(doc, ns.protocol, rootName);
  let signed: 'redirect' | 'embedded' | undefined;
  // Unsigned messages are accepted and there is no certificate to check one with: a signature is
  // ignored, as Okta ignores it without "Signed Requests", rather than failing SPs that sign before
  // the admin uploads their certificate. With a certificate, a signature that does not verify is refused.
  if (!verification.required && verification.certificates.length === 0) return { root, signed };
  if (binding === 'redirect') {
    if (verifyRedirectQuery(rawQuery, parameter, verification.certificates, { allowSha1: verification.allowSha1 })) signed = 'redirect';
  } else if (children(root, ns.ds, 'Signature').length > 0) {
    root = verifyElementSignature(doc, root, verification.certificates, { allowSha1: verification.allowSha1 }).element;
    signed = 'embedded';
  }
  if (verification.required && !signed) throw new SamlError('signature', `This app requires signed ${rootName} messages.`);
  return { root, signed };
}

/**
 * Reads an AuthnRequest. `rawQuery` is the request's query string as received (needed to check a
 * Redirect-binding signature over the exact octets).
 */
export function readAuthnRequest(binding: Binding, encoded: string, rawQuery: string, verification: RequestVerification): AuthnRequest {
  const { root, signed } = readSignedMessage(binding, 'SAMLRequest', encoded, rawQuery, 'AuthnRequest', verification);
  const id = readMessageId(root);
  const nameIdPolicy = optionalChild(root, ns.protocol, 'NameIDPolicy');
  const requested = optionalChild(root, ns.protocol, 'RequestedAuthnContext');
  const index = attr(root, 'AssertionConsumerServiceIndex');
  if (index !== undefined && !/^\d{1,5}$/.test(index)) throw new SamlError('invalid', 'AssertionConsumerServiceIndex must be a number.');
  return {
    id,
    issueInstant: readInstant(attr(root, 'IssueInstant'), 'IssueInstant'),
    issuer: text(optionalChild(root, ns.assertion, 'Issuer')),
    destination: attr(root, 'Destination'),
    assertionConsumerServiceUrl: attr(root, 'AssertionConsumerServiceURL'),
    assertionConsumerServiceIndex: index === undefined ? undefined : Number(index),
    protocolBinding: attr(root, 'ProtocolBinding'),
    forceAuthn: booleanAttr(root, 'ForceAuthn') ?? false,
    isPassive: booleanAttr(root, 'IsPassive') ?? false,
    nameIdPolicy: nameIdPolicy ? { format: attr(nameIdPolicy, 'Format'), allowCreate: booleanAttr(nameIdPolicy, 'AllowCreate') } : undefined,
    requestedAuthnContext: requested ? {
      comparison: attr(requested, 'Comparison') ?? 'exact',
      classRefs: children(requested, ns.assertion, 'AuthnContextClassRef').map((e) => text(e) ?? ''),
    } : undefined,
    signed,
  };
}
