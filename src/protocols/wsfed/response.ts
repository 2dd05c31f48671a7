/**
 * The WS-Federation passive requestor's answer to `wa=wsignin1.0`: a
 * `<t:RequestSecurityTokenResponse>` carrying a signed SAML 1.1 assertion (the token type most
 * relying parties built on WIF and its descendants expect) or a signed SAML 2.0 assertion.
 */
import { assertionXml as saml2Assertion, type SamlAttribute } from '../saml/response.ts';
import { signElement, type DigestAlgorithm, type SignatureAlgorithm, type SigningMaterial } from '../saml/signature.ts';
import { escapeXml, newSamlId, ns, samlInstant } from '../saml/xml.ts';

export const tokenTypes = {
  saml11: 'urn:oasis:names:tc:SAML:1.0:assertion',
  saml20: 'urn:oasis:names:tc:SAML:2.0:assertion',
} as const;

const wsu = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';

export interface WsFedTokenFacts {
  readonly issuer: string;
  /** The realm (`wtrealm`): whom the token applies to (`wsp:AppliesTo`). */
  readonly realm: string;
  /** The token's `Audience` (Okta's `audienceRestriction`, else the realm). */
  readonly audience: string;
  /** Where the token is posted (`wreply` or the app's reply URL). */
  readonly reply: string;
  readonly nameId: { readonly value: string; readonly format: string };
  readonly attributes: readonly SamlAttribute[];
  readonly authnInstant: Date;
  readonly authnContextClassRef: string;
  readonly sessionIndex: string;
  readonly now: Date;
  readonly lifetimeSeconds: number;
  readonly skewSeconds: number;
}

export interface WsFedSigning {
  readonly key: SigningMaterial;
  readonly signatureAlgorithm: SignatureAlgorithm;
  readonly digestAlgorithm: DigestAlgorithm;
}

function instant(date: Date, seconds = 0): string {
  return samlInstant(new Date(date.getTime() + seconds * 1000));
}

const absoluteUri = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const attrNameFormatPrefix = 'urn:oasis:names:tc:SAML:2.0:attrname-format:';
const uriNameFormat = `${attrNameFormatPrefix}uri`;

/**
 * The claim type a relying party sees for an attribute: its name when that is already a URI
 * (`http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn`), else the name under its
 * namespace (`givenname` in the claims namespace). A name under one of SAML 2.0's attribute
 * name formats (basic, unspecified) stays as written.
 */
export function claimType(attribute: Pick<SamlAttribute, 'name' | 'nameFormat'>): string {
  if (absoluteUri.test(attribute.name) || !attribute.nameFormat || attribute.nameFormat.startsWith(attrNameFormatPrefix)) return attribute.name;
  return `${attribute.nameFormat.replace(/\/+$/, '')}/${attribute.name}`;
}

/** A SAML 2.0 attribute as WS-Federation relying parties read it: the claim type as `Name`, in the URI name format. */
function saml20Attribute(attribute: SamlAttribute): SamlAttribute {
  const name = claimType(attribute);
  return { name, nameFormat: absoluteUri.test(name) ? uriNameFormat : attribute.nameFormat, values: attribute.values };
}

/** A claim split into SAML 1.1's AttributeNamespace and AttributeName (which relying parties join again with `/`). */
function saml11Attribute(attribute: SamlAttribute): string {
  const claim = claimType(attribute);
  const slash = claim.lastIndexOf('/');
  const [namespace, name] = absoluteUri.test(claim) && slash > 0 && slash < claim.length - 1
    ? [claim.slice(0, slash), claim.slice(slash + 1)] : [attribute.nameFormat, claim];
  const values = attribute.values.map((v) => `<saml:AttributeValue>${escapeXml(v)}</saml:AttributeValue>`).join('');
  return `<saml:Attribute AttributeName="${escapeXml(name)}" AttributeNamespace="${escapeXml(namespace)}">${values}</saml:Attribute>`;
}

/** A signed SAML 1.1 assertion; the signature goes last, as the SAML 1.1 schema places it. */
export function saml11Assertion(facts: WsFedTokenFacts, signing: WsFedSigning): string {
  const id = `_${newSamlId()}`;
  const subject = `<saml:Subject><saml:NameIdentifier Format="${escapeXml(facts.nameId.format)}">${escapeXml(facts.nameId.value)}</saml:NameIdentifier>`
    + '<saml:SubjectConfirmation><saml:ConfirmationMethod>urn:oasis:names:tc:SAML:1.0:cm:bearer</saml:ConfirmationMethod></saml:SubjectConfirmation></saml:Subject>';
  const xml = `<saml:Assertion xmlns:saml="${ns.saml1}" MajorVersion="1" MinorVersion="1" AssertionID="${id}" Issuer="${escapeXml(facts.issuer)}" IssueInstant="${instant(facts.now)}">`
    + `<saml:Conditions NotBefore="${instant(facts.now, -facts.skewSeconds)}" NotOnOrAfter="${instant(facts.now, facts.lifetimeSeconds)}">`
    + `<saml:AudienceRestrictionCondition><saml:Audience>${escapeXml(facts.audience)}</saml:Audience></saml:AudienceRestrictionCondition></saml:Conditions>`
    + (facts.attributes.length > 0 ? `<saml:AttributeStatement>${subject}${facts.attributes.map(saml11Attribute).join('')}</saml:AttributeStatement>` : '')
    + `<saml:AuthenticationStatement AuthenticationMethod="urn:oasis:names:tc:SAML:1.0:am:password" AuthenticationInstant="${instant(facts.authnInstant)}">${subject}</saml:AuthenticationStatement>`
    + '</saml:Assertion>';
  return signElement(xml, id, signing.key, { signature: signing.signatureAlgorithm, digest: signing.digestAlgorithm }, 'last');
}

/** The RequestSecurityTokenResponse for `wresult`. */
export function buildWsFedResponse(facts: WsFedTokenFacts, signing: WsFedSigning, tokenType: keyof typeof tokenTypes = 'saml11'): string {
  let token: string;
  if (tokenType === 'saml11') {
    token = saml11Assertion(facts, signing);
  } else {
    const assertion = saml2Assertion({
      issuer: facts.issuer, destination: facts.reply, recipient: facts.reply, audience: facts.audience, inResponseTo: undefined,
      nameId: facts.nameId, sessionIndex: facts.sessionIndex, authnInstant: facts.authnInstant, authnContextClassRef: facts.authnContextClassRef,
      attributes: facts.attributes.map(saml20Attribute), now: facts.now, lifetimeSeconds: facts.lifetimeSeconds, skewSeconds: facts.skewSeconds,
    });
    token = signElement(assertion.xml, assertion.id, signing.key, { signature: signing.signatureAlgorithm, digest: signing.digestAlgorithm });
  }
  return `<t:RequestSecurityTokenResponse xmlns:t="${ns.wst}">`
    + `<t:Lifetime><wsu:Created xmlns:wsu="${wsu}">${instant(facts.now)}</wsu:Created><wsu:Expires xmlns:wsu="${wsu}">${instant(facts.now, facts.lifetimeSeconds)}</wsu:Expires></t:Lifetime>`
    + `<wsp:AppliesTo xmlns:wsp="${ns.wsp}"><wsa:EndpointReference xmlns:wsa="${ns.wsa}"><wsa:Address>${escapeXml(facts.realm)}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>`
    + `<t:RequestedSecurityToken>${token}</t:RequestedSecurityToken>`
    + `<t:TokenType>${tokenTypes[tokenType]}</t:TokenType>`
    + '<t:RequestType>http://schemas.xmlsoap.org/ws/2005/02/trust/Issue</t:RequestType>'
    + '<t:KeyType>http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey</t:KeyType>'
    + '</t:RequestSecurityTokenResponse>';
}
