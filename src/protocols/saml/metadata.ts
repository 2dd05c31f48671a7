/**
 * The IdP metadata of one SAML app: its entity ID, signing certificate(s), single sign-on and
 * single logout endpoints for both bindings, and the NameID formats it can issue.
 */
import { bindingUris } from './authn-request.ts';
import { nameIdFormats } from '../../domain/saml-app.ts';
import { certificateBody } from './signature.ts';
import { escapeXml, ns } from './xml.ts';


export interface IdpMetadataFacts {
  readonly entityId: string;
  readonly ssoUrl: string;
  readonly sloUrl: string | undefined;
  /** Signing certificates, active first (base64 DER or PEM). */
  readonly certificates: readonly string[];
  readonly wantAuthnRequestsSigned: boolean;
  /** Formats to list first (the app's own), before the others Lanyard can issue. */
  readonly nameIdFormats?: readonly string[];
}

export function buildIdpMetadata(facts: IdpMetadataFacts): string {
  const keys = facts.certificates.map((c) => `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="${ns.ds}"><ds:X509Data>`
    + `<ds:X509Certificate>${certificateBody(c)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`).join('');
  const endpoint = (element: string, url: string) => [bindingUris.post, bindingUris.redirect]
    .map((binding) => `<md:${element} Binding="${binding}" Location="${escapeXml(url)}"/>`).join('');
  // The app's own format first: toolkits that read metadata take the first as the one to ask for.
  const ordered = [...new Set([...(facts.nameIdFormats ?? []), ...nameIdFormats])];
  const formats = ordered.map((f) => `<md:NameIDFormat>${escapeXml(f)}</md:NameIDFormat>`).join('');
  return '<?xml version="1.0" encoding="UTF-8"?>'
    + `<md:EntityDescriptor xmlns:md="${ns.metadata}" entityID="${escapeXml(facts.entityId)}">`
    + `<md:IDPSSODescriptor WantAuthnRequestsSigned="${facts.wantAuthnRequestsSigned}" protocolSupportEnumeration="${ns.protocol}">`
    + keys
    + (facts.sloUrl ? endpoint('SingleLogoutService', facts.sloUrl) : '')
    + formats
    + endpoint('SingleSignOnService', facts.ssoUrl)
    + '</md:IDPSSODescriptor></md:EntityDescriptor>';
}
