/**
 * Federation metadata of a WS-Federation app: the security token service role (its passive
 * requestor endpoint, signing certificate, token types and claims offered), as relying parties
 * built on WIF/OWIN and ADFS-style tooling read it.
 */
import { certificateBody } from '../saml/signature.ts';
import { escapeXml, ns } from '../saml/xml.ts';
import { tokenTypes } from './response.ts';

export interface WsFedMetadataFacts {
  readonly entityId: string;
  readonly passiveEndpoint: string;
  readonly certificates: readonly string[];
  readonly claims: readonly { readonly uri: string; readonly displayName: string }[];
}

export function buildWsFedMetadata(facts: WsFedMetadataFacts): string {
  const keys = facts.certificates.map((c) => `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="${ns.ds}"><ds:X509Data>`
    + `<ds:X509Certificate>${certificateBody(c)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`).join('');
  const claims = facts.claims.map((c) => `<auth:ClaimType xmlns:auth="http://docs.oasis-open.org/wsfed/authorization/200706" Uri="${escapeXml(c.uri)}" Optional="true">`
    + `<auth:DisplayName>${escapeXml(c.displayName)}</auth:DisplayName></auth:ClaimType>`).join('');
  const endpoint = (element: string) => `<fed:${element}><wsa:EndpointReference xmlns:wsa="${ns.wsa}"><wsa:Address>${escapeXml(facts.passiveEndpoint)}</wsa:Address></wsa:EndpointReference></fed:${element}>`;
  return '<?xml version="1.0" encoding="UTF-8"?>'
    + `<md:EntityDescriptor xmlns:md="${ns.metadata}" xmlns:fed="${ns.fed}" xmlns:xsi="${ns.xsi}" entityID="${escapeXml(facts.entityId)}">`
    + `<md:RoleDescriptor xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="${ns.fed}">`
    + keys
    + `<fed:TokenTypesOffered><fed:TokenType Uri="${tokenTypes.saml11}"/><fed:TokenType Uri="${tokenTypes.saml20}"/></fed:TokenTypesOffered>`
    + (claims ? `<fed:ClaimTypesOffered>${claims}</fed:ClaimTypesOffered>` : '')
    + endpoint('SecurityTokenServiceEndpoint')
    + endpoint('PassiveRequestorEndpoint')
    + '</md:RoleDescriptor></md:EntityDescriptor>';
}
