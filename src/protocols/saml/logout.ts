/**
 * Single logout messages: the `<samlp:LogoutRequest>` a service provider sends (or the IdP sends
 * to the other participants of the session) and the `<samlp:LogoutResponse>` that answers it.
 */
import { readInstant, readMessageId, readSignedMessage, type Binding, type RequestVerification } from './authn-request.ts';
import { signElement, type DigestAlgorithm, type SignatureAlgorithm, type SigningMaterial } from './signature.ts';
import { attr, children, escapeXml, newSamlId, ns, optionalChild, requiredChild, SamlError, samlInstant, text } from './xml.ts';
import { statusCodes } from './response.ts';

export interface LogoutRequest {
  readonly id: string;
  readonly issueInstant: Date;
  readonly issuer: string | undefined;
  readonly destination: string | undefined;
  readonly notOnOrAfter: Date | undefined;
  readonly nameId: { readonly value: string; readonly format: string | undefined };
  readonly sessionIndexes: readonly string[];
  readonly signed: 'redirect' | 'embedded' | undefined;
}

export interface LogoutResponse {
  readonly id: string;
  readonly inResponseTo: string | undefined;
  readonly issuer: string | undefined;
  readonly destination: string | undefined;
  readonly success: boolean;
  readonly statusCode: string;
  readonly signed: 'redirect' | 'embedded' | undefined;
}

export function readLogoutRequest(binding: Binding, encoded: string, rawQuery: string, verification: RequestVerification): LogoutRequest {
  const { root, signed } = readSignedMessage(binding, 'SAMLRequest', encoded, rawQuery, 'LogoutRequest', verification);
  const nameId = optionalChild(root, ns.assertion, 'NameID');
  if (!nameId) {
    if (optionalChild(root, ns.assertion, 'EncryptedID')) throw new SamlError('unsupported', 'Encrypted NameIDs in logout requests are not supported.');
    throw new SamlError('invalid', 'The logout request has no NameID.');
  }
  const notOnOrAfter = attr(root, 'NotOnOrAfter');
  return {
    id: readMessageId(root),
    issueInstant: readInstant(attr(root, 'IssueInstant'), 'IssueInstant'),
    issuer: text(optionalChild(root, ns.assertion, 'Issuer')),
    destination: attr(root, 'Destination'),
    notOnOrAfter: notOnOrAfter === undefined ? undefined : readInstant(notOnOrAfter, 'NotOnOrAfter'),
    nameId: { value: text(nameId) ?? '', format: attr(nameId, 'Format') },
    sessionIndexes: children(root, ns.protocol, 'SessionIndex').map((e) => text(e) ?? '').filter(Boolean),
    signed,
  };
}

export function readLogoutResponse(binding: Binding, encoded: string, rawQuery: string, verification: RequestVerification): LogoutResponse {
  const { root, signed } = readSignedMessage(binding, 'SAMLResponse', encoded, rawQuery, 'LogoutResponse', verification);
  const status = requiredChild(root, ns.protocol, 'Status');
  const code = attr(requiredChild(status, ns.protocol, 'StatusCode'), 'Value') ?? '';
  return {
    id: readMessageId(root),
    inResponseTo: attr(root, 'InResponseTo'),
    issuer: text(optionalChild(root, ns.assertion, 'Issuer')),
    destination: attr(root, 'Destination'),
    success: code === statusCodes.success,
    statusCode: code,
    signed,
  };
}

export interface OutboundSigning {
  readonly key: SigningMaterial;
  readonly signatureAlgorithm: SignatureAlgorithm;
  readonly digestAlgorithm: DigestAlgorithm;
}

/** A LogoutRequest from the IdP to a participant; signed in the XML when `embedded` (POST binding). */
export function buildLogoutRequest(facts: {
  issuer: string; destination: string; nameId: { value: string; format: string }; sessionIndex: string; now: Date; lifetimeSeconds: number;
}, signing: OutboundSigning | undefined): { id: string; xml: string } {
  const id = newSamlId();
  const xml = `<samlp:LogoutRequest xmlns:samlp="${ns.protocol}" xmlns:saml="${ns.assertion}" Destination="${escapeXml(facts.destination)}"`
    + ` ID="${id}" IssueInstant="${samlInstant(facts.now)}" NotOnOrAfter="${samlInstant(new Date(facts.now.getTime() + facts.lifetimeSeconds * 1000))}" Version="2.0">`
    + `<saml:Issuer>${escapeXml(facts.issuer)}</saml:Issuer>`
    + `<saml:NameID Format="${escapeXml(facts.nameId.format)}">${escapeXml(facts.nameId.value)}</saml:NameID>`
    + `<samlp:SessionIndex>${escapeXml(facts.sessionIndex)}</samlp:SessionIndex>`
    + '</samlp:LogoutRequest>';
  return { id, xml: signing ? signElement(xml, id, signing.key, { signature: signing.signatureAlgorithm, digest: signing.digestAlgorithm }) : xml };
}

/** A LogoutResponse from the IdP; signed in the XML when `signing` is given (POST binding). */
export function buildLogoutResponse(facts: {
  issuer: string; destination: string; inResponseTo: string; now: Date; status?: string; second?: string;
}, signing: OutboundSigning | undefined): string {
  const id = newSamlId();
  const second = facts.second ? `<samlp:StatusCode Value="${facts.second}"/>` : '';
  const xml = `<samlp:LogoutResponse xmlns:samlp="${ns.protocol}" xmlns:saml="${ns.assertion}" Destination="${escapeXml(facts.destination)}"`
    + ` ID="${id}" InResponseTo="${escapeXml(facts.inResponseTo)}" IssueInstant="${samlInstant(facts.now)}" Version="2.0">`
    + `<saml:Issuer>${escapeXml(facts.issuer)}</saml:Issuer>`
    + `<samlp:Status><samlp:StatusCode Value="${facts.status ?? statusCodes.success}">${second}</samlp:StatusCode></samlp:Status>`
    + '</samlp:LogoutResponse>';
  return signing ? signElement(xml, id, signing.key, { signature: signing.signatureAlgorithm, digest: signing.digestAlgorithm }) : xml;
}
