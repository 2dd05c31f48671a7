/**
 * Building the IdP's `<samlp:Response>`: a bearer assertion for one user and one service
 * provider (subject, confirmation data, conditions, authentication statement, attributes),
 * signed as the app asks (assertion, response, or both), optionally encrypted to the SP's
 * certificate; and the error responses (`Requester`/`Responder` with a second-level code).
 */
import { encrypt } from 'xml-encryption';
import { signElement, toPem, type DigestAlgorithm, type SignatureAlgorithm, type SigningMaterial } from './signature.ts';
import { escapeXml, newSamlId, ns, samlInstant } from './xml.ts';

export const statusCodes = {
  success: 'urn:oasis:names:tc:SAML:2.0:status:Success',
  requester: 'urn:oasis:names:tc:SAML:2.0:status:Requester',
  responder: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
  noPassive: 'urn:oasis:names:tc:SAML:2.0:status:NoPassive',
  authnFailed: 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed',
  requestDenied: 'urn:oasis:names:tc:SAML:2.0:status:RequestDenied',
  invalidNameIdPolicy: 'urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy',
  noAuthnContext: 'urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext',
} as const;

const entityFormat = 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity';

export interface SamlAttribute {
  readonly name: string;
  readonly nameFormat: string;
  readonly values: readonly string[];
}

export interface AssertionFacts {
  readonly issuer: string;
  /** The ACS URL the response is posted to. */
  readonly destination: string;
  readonly recipient: string;
  readonly audience: string;
  readonly inResponseTo: string | undefined;
  readonly nameId: { readonly value: string; readonly format: string; readonly spNameQualifier?: string | undefined };
  readonly sessionIndex: string;
  readonly authnInstant: Date;
  readonly authnContextClassRef: string;
  /** `SessionNotOnOrAfter` of the authentication statement: when the SP's own session must end (Okta's `samlAssertionLifetimeSeconds`). */
  readonly sessionNotOnOrAfter?: Date | undefined;
  readonly attributes: readonly SamlAttribute[];
  readonly now: Date;
  /** Seconds the assertion may be used: NotOnOrAfter of the confirmation and conditions. */
  readonly lifetimeSeconds: number;
  /** Seconds of clock skew allowed before IssueInstant (NotBefore). */
  readonly skewSeconds: number;
}

export interface EncryptionSettings {
  readonly certificate: string;
  readonly dataAlgorithm: 'AES256_GCM' | 'AES128_GCM' | 'AES256_CBC' | 'AES128_CBC';
  readonly keyTransportAlgorithm: 'RSA_OAEP' | 'RSA_15';
}

export interface ResponseSigning {
  readonly key: SigningMaterial;
  readonly signatureAlgorithm: SignatureAlgorithm;
  readonly digestAlgorithm: DigestAlgorithm;
  readonly signAssertion: boolean;
  readonly signResponse: boolean;
}

const dataAlgorithms = {
  AES256_GCM: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
  AES128_GCM: 'http://www.w3.org/2009/xmlenc11#aes128-gcm',
  AES256_CBC: 'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
  AES128_CBC: 'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
} as const;
const keyAlgorithms = {
  RSA_OAEP: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
  RSA_15: 'http://www.w3.org/2001/04/xmlenc#rsa-1_5',
} as const;

function later(date: Date, seconds: number): string {
  return samlInstant(new Date(date.getTime() + seconds * 1000));
}

function attributeXml(attribute: SamlAttribute): string {
  const values = attribute.values.map((v) => `<saml:AttributeValue xmlns:xs="${ns.xs}" xmlns:xsi="${ns.xsi}" xsi:type="xs:string">${escapeXml(v)}</saml:AttributeValue>`);
  return `<saml:Attribute Name="${escapeXml(attribute.name)}" NameFormat="${escapeXml(attribute.nameFormat)}">${values.join('')}</saml:Attribute>`;
}

/** The unsigned assertion, with its ID. */
export function assertionXml(facts: AssertionFacts): { id: string; xml: string } {
  const id = newSamlId();
  const issued = samlInstant(facts.now);
  const expires = later(facts.now, facts.lifetimeSeconds);
  const inResponseTo = facts.inResponseTo ? ` InResponseTo="${escapeXml(facts.inResponseTo)}"` : '';
  const sessionEnd = facts.sessionNotOnOrAfter ? ` SessionNotOnOrAfter="${samlInstant(facts.sessionNotOnOrAfter)}"` : '';
  const qualifier = facts.nameId.spNameQualifier ? ` SPNameQualifier="${escapeXml(facts.nameId.spNameQualifier)}"` : '';
  const attributes = facts.attributes.length > 0
    ? `<saml:AttributeStatement>${facts.attributes.map(attributeXml).join('')}</saml:AttributeStatement>` : '';
  const xml = `<saml:Assertion xmlns:saml="${ns.assertion}" ID="${id}" IssueInstant="${issued}" Version="2.0">`
    + `<saml:Issuer Format="${entityFormat}">${escapeXml(facts.issuer)}</saml:Issuer>`
    + '<saml:Subject>'
    + `<saml:NameID Format="${escapeXml(facts.nameId.format)}"${qualifier}>${escapeXml(facts.nameId.value)}</saml:NameID>`
    + '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
    + `<saml:SubjectConfirmationData${inResponseTo} NotOnOrAfter="${expires}" Recipient="${escapeXml(facts.recipient)}"/>`
    + '</saml:SubjectConfirmation>'
    + '</saml:Subject>'
    + `<saml:Conditions NotBefore="${later(facts.now, -facts.skewSeconds)}" NotOnOrAfter="${expires}">`
    + `<saml:AudienceRestriction><saml:Audience>${escapeXml(facts.audience)}</saml:Audience></saml:AudienceRestriction>`
    + '</saml:Conditions>'
    + `<saml:AuthnStatement AuthnInstant="${samlInstant(facts.authnInstant)}" SessionIndex="${escapeXml(facts.sessionIndex)}"${sessionEnd}>`
    + `<saml:AuthnContext><saml:AuthnContextClassRef>${escapeXml(facts.authnContextClassRef)}</saml:AuthnContextClassRef></saml:AuthnContext>`
    + '</saml:AuthnStatement>'
    + attributes
    + '</saml:Assertion>';
  return { id, xml };
}

/** Encrypts an assertion to the SP's certificate as `<saml:EncryptedAssertion>`. */
export function encryptAssertion(assertion: string, settings: EncryptionSettings): Promise<string> {
  const pem = toPem(settings.certificate);
  const insecure = settings.dataAlgorithm.endsWith('CBC') || settings.keyTransportAlgorithm === 'RSA_15';
  return new Promise((resolve, reject) => {
    encrypt(assertion, {
      rsa_pub: pem, pem,
      encryptionAlgorithm: dataAlgorithms[settings.dataAlgorithm],
      keyEncryptionAlgorithm: keyAlgorithms[settings.keyTransportAlgorithm],
      // The SP chose the algorithm (some only support CBC); Lanyard defaults to AES-256-GCM.
      disallowEncryptionWithInsecureAlgorithm: !insecure,
      warnInsecureAlgorithm: false,
    }, (error: Error | null, encrypted?: string) => {
      if (error || !encrypted) reject(error ?? new Error('encryption produced nothing'));
      else resolve(`<saml:EncryptedAssertion xmlns:saml="${ns.assertion}">${encrypted}</saml:EncryptedAssertion>`);
    });
  });
}

function envelope(facts: { issuer: string; destination: string; inResponseTo: string | undefined; now: Date }, status: string, body: string): { id: string; xml: string } {
  const id = newSamlId();
  const inResponseTo = facts.inResponseTo ? ` InResponseTo="${escapeXml(facts.inResponseTo)}"` : '';
  const xml = `<samlp:Response xmlns:samlp="${ns.protocol}" xmlns:saml="${ns.assertion}" Destination="${escapeXml(facts.destination)}"`
    + ` ID="${id}"${inResponseTo} IssueInstant="${samlInstant(facts.now)}" Version="2.0">`
    + `<saml:Issuer Format="${entityFormat}">${escapeXml(facts.issuer)}</saml:Issuer>`
    + status + body + '</samlp:Response>';
  return { id, xml };
}

/** A successful response carrying one assertion, signed and encrypted as configured. */
export async function buildResponse(facts: AssertionFacts, signing: ResponseSigning, encryption?: EncryptionSettings): Promise<string> {
  const algorithms = { signature: signing.signatureAlgorithm, digest: signing.digestAlgorithm };
  const assertion = assertionXml(facts);
  let assertionPart = signing.signAssertion ? signElement(assertion.xml, assertion.id, signing.key, algorithms) : assertion.xml;
  if (encryption) assertionPart = await encryptAssertion(assertionPart, encryption);
  const status = `<samlp:Status><samlp:StatusCode Value="${statusCodes.success}"/></samlp:Status>`;
  const response = envelope(facts, status, assertionPart);
  return signing.signResponse ? signElement(response.xml, response.id, signing.key, algorithms) : response.xml;
}

/** An error response: a top-level code, an optional second-level one, and a message. */
export function buildErrorResponse(facts: { issuer: string; destination: string; inResponseTo: string | undefined; now: Date },
  code: { top: string; second?: string | undefined; message?: string | undefined }, signing?: ResponseSigning): string {
  const second = code.second ? `<samlp:StatusCode Value="${code.second}"/>` : '';
  const message = code.message ? `<samlp:StatusMessage>${escapeXml(code.message)}</samlp:StatusMessage>` : '';
  const status = `<samlp:Status><samlp:StatusCode Value="${code.top}">${second}</samlp:StatusCode>${message}</samlp:Status>`;
  const response = envelope(facts, status, '');
  return signing?.signResponse
    ? signElement(response.xml, response.id, signing.key, { signature: signing.signatureAlgorithm, digest: signing.digestAlgorithm })
    : response.xml;
}
