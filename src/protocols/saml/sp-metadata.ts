/**
 * A service provider's SAML 2.0 metadata (an `<EntityDescriptor>` with an `<SPSSODescriptor>`,
 * or an `<EntitiesDescriptor>` holding exactly one such entity), read into plain data, and the
 * Okta `settings.signOn` it implies. An admin uploads it once; Lanyard copies what it needs into
 * the app's settings and never fetches or trusts the document again, so a metadata signature is
 * not checked here.
 *
 * Parsing goes through {@link parseXml} (size limit, no DTD or entities, stops at the first
 * error), and refuses, with a {@link SamlError} that says what to fix, anything it cannot use
 * safely: no service provider or several, an endpoint that is not an absolute http(s) URL, no
 * ACS with the HTTP-POST binding, a certificate that does not parse, expired metadata.
 */
import type { Element } from '@xmldom/xmldom';
import type { SamlSignOnInput } from '../../domain/saml-app.ts';
import { certificateBody, parseCertificate } from './signature.ts';
import { attr, children, descendants, ns, parseXml, SamlError, text } from './xml.ts';

export const samlBindings = {
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  artifact: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact',
  soap: 'urn:oasis:names:tc:SAML:2.0:bindings:SOAP',
  paos: 'urn:oasis:names:tc:SAML:2.0:bindings:PAOS',
} as const;

const saml2Protocol = 'urn:oasis:names:tc:SAML:2.0:protocol';

export interface SpAcs {
  readonly url: string;
  /** The binding URI, e.g. {@link samlBindings}.post. */
  readonly binding: string;
  readonly index: number;
  /** The endpoint's `isDefault="true"`. */
  readonly isDefault: boolean;
}

export interface SpSingleLogout {
  readonly url: string;
  readonly binding: string;
  /** Where LogoutResponses go, when it differs from `url`. */
  readonly responseUrl?: string;
}

export interface SpMetadata {
  readonly entityId: string;
  /** Every AssertionConsumerService, in document order. */
  readonly acs: readonly SpAcs[];
  readonly singleLogout: readonly SpSingleLogout[];
  /** Certificates (bare base64 DER) of `KeyDescriptor use="signing"` and of those without `use`. */
  readonly signingCertificates: readonly string[];
  /** Certificates of `KeyDescriptor use="encryption"` and of those without `use`. */
  readonly encryptionCertificates: readonly string[];
  /** The encryption KeyDescriptors' `EncryptionMethod` algorithms, in the SP's order of preference. */
  readonly encryptionMethods: readonly string[];
  readonly nameIdFormats: readonly string[];
  readonly authnRequestsSigned: boolean;
  readonly wantAssertionsSigned: boolean;
}

export interface SpMetadataOptions {
  /** For `validUntil`; defaults to the current time. */
  readonly now?: Date;
  /** Largest document accepted, in bytes; 256 KiB by default. */
  readonly maxBytes?: number;
}

const limits = { endpoints: 100, keyDescriptors: 20, certificates: 20, nameIdFormats: 20 } as const;
const maxEntityIdLength = 1024;

function invalid(message: string): SamlError {
  return new SamlError('invalid', message);
}

function xsBoolean(element: Element, name: string): boolean | undefined {
  const value = attr(element, name);
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === 'true' || trimmed === '1') return true;
  if (trimmed === 'false' || trimmed === '0') return false;
  throw invalid(`${name}="${value.slice(0, 20)}" on <${element.localName}> is not a boolean.`);
}

/** An endpoint Location: an absolute http(s) URL, without fragment or credentials. */
function endpointUrl(value: string | undefined, what: string): string {
  if (value === undefined || value.trim() === '') throw invalid(`${what} has no Location.`);
  const location = value.trim();
  let url: URL | undefined;
  try {
    url = new URL(location);
  } catch {
    url = undefined;
  }
  const shown = location.length > 80 ? `${location.slice(0, 80)}…` : location;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname) {
    throw invalid(`${what} has Location "${shown}", which is not an absolute https or http URL.`);
  }
  if (location.length > 1024) throw invalid(`${what} has a Location longer than 1024 characters.`);
  if (location.includes('#')) throw invalid(`${what} has a Location with a fragment (#…).`);
  if (url.username || url.password) throw invalid(`${what} has a Location with a user name or password.`);
  return location;
}

function requiredBinding(element: Element, what: string): string {
  const binding = attr(element, 'Binding')?.trim();
  if (!binding) throw invalid(`${what} has no Binding.`);
  return binding;
}

/** The one EntityDescriptor with an SPSSODescriptor. */
function serviceProviderEntity(root: Element): Element {
  let entities: Element[];
  if (root.namespaceURI === ns.metadata && root.localName === 'EntityDescriptor') {
    entities = [root];
  } else if (root.namespaceURI === ns.metadata && root.localName === 'EntitiesDescriptor') {
    entities = descendants(root, ns.metadata, 'EntityDescriptor');
  } else {
    throw invalid(`Expected SAML metadata (<EntityDescriptor> or <EntitiesDescriptor>), got <${root.localName ?? root.nodeName}>.`);
  }
  const providers = entities.filter((entity) => children(entity, ns.metadata, 'SPSSODescriptor').length > 0);
  if (providers.length === 0) throw invalid('The metadata describes no service provider (no <SPSSODescriptor>).');
  if (providers.length > 1) {
    throw invalid(`The metadata describes ${providers.length} service providers; upload the metadata of the one this app is for.`);
  }
  return providers[0]!;
}

function checkValidUntil(element: Element, now: Date): void {
  const validUntil = attr(element, 'validUntil');
  if (validUntil === undefined) return;
  const time = Date.parse(validUntil);
  if (Number.isNaN(time)) throw invalid(`validUntil="${validUntil.slice(0, 40)}" on <${element.localName}> is not a date and time.`);
  if (time <= now.getTime()) throw invalid(`The metadata expired on ${new Date(time).toISOString()} (validUntil); ask the service provider for current metadata.`);
}

/** The certificates of one KeyDescriptor (`KeyInfo/X509Data/X509Certificate`), checked. */
function keyDescriptorCertificates(descriptor: Element, position: number): string[] {
  const out: string[] = [];
  for (const keyInfo of children(descriptor, ns.ds, 'KeyInfo')) {
    for (const data of children(keyInfo, ns.ds, 'X509Data')) {
      for (const element of children(data, ns.ds, 'X509Certificate')) {
        const body = certificateBody(text(element) ?? '');
        const problem = `KeyDescriptor ${position} holds a certificate that is not a valid base64 DER X.509 certificate.`;
        if (!body || body.length > 16_384 || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw invalid(problem);
        try {
          parseCertificate(body);
        } catch {
          throw invalid(problem);
        }
        out.push(body);
      }
    }
  }
  return out;
}

/**
 * Reads an SP's metadata. Where the SP lists several SPSSODescriptors, the one supporting SAML
 * 2.0 is used; all endpoints of it are returned (the caller picks what it supports), but every
 * endpoint Location must be an absolute http(s) URL and ACS indexes must be unique.
 */
export function parseSpMetadata(xml: string, options: SpMetadataOptions = {}): SpMetadata {
  const now = options.now ?? new Date();
  const doc = parseXml(xml, options.maxBytes);
  const root = doc.documentElement!;
  const entity = serviceProviderEntity(root);
  if (root !== entity) checkValidUntil(root, now);
  checkValidUntil(entity, now);

  const entityId = attr(entity, 'entityID')?.trim();
  if (!entityId) throw invalid('<EntityDescriptor> has no entityID.');
  if (entityId.length > maxEntityIdLength) throw invalid(`The entityID is longer than ${maxEntityIdLength} characters.`);

  const descriptors = children(entity, ns.metadata, 'SPSSODescriptor')
    .filter((descriptor) => (attr(descriptor, 'protocolSupportEnumeration') ?? '').split(/\s+/).includes(saml2Protocol));
  if (descriptors.length === 0) throw invalid('The service provider does not support SAML 2.0 (protocolSupportEnumeration).');
  if (descriptors.length > 1) throw invalid('The service provider has more than one SAML 2.0 <SPSSODescriptor>.');
  const sp = descriptors[0]!;
  checkValidUntil(sp, now);

  const acsElements = children(sp, ns.metadata, 'AssertionConsumerService');
  if (acsElements.length > limits.endpoints) throw invalid(`The service provider lists more than ${limits.endpoints} AssertionConsumerService endpoints.`);
  const acs: SpAcs[] = [];
  const indexes = new Set<number>();
  acsElements.forEach((element, position) => {
    const what = `AssertionConsumerService ${position + 1}`;
    const binding = requiredBinding(element, what);
    const url = endpointUrl(attr(element, 'Location'), what);
    const rawIndex = attr(element, 'index')?.trim();
    if (rawIndex === undefined) throw invalid(`${what} has no index.`);
    if (!/^\d{1,5}$/.test(rawIndex) || Number(rawIndex) > 65535) throw invalid(`${what} has index "${rawIndex.slice(0, 20)}", which is not a number from 0 to 65535.`);
    const index = Number(rawIndex);
    if (indexes.has(index)) throw invalid(`${what} repeats index ${index}.`);
    indexes.add(index);
    acs.push({ url, binding, index, isDefault: xsBoolean(element, 'isDefault') ?? false });
  });
  if (!acs.some((endpoint) => endpoint.binding === samlBindings.post)) {
    throw invalid('The service provider has no AssertionConsumerService with the HTTP-POST binding, which Lanyard sends responses with.');
  }

  const sloElements = children(sp, ns.metadata, 'SingleLogoutService');
  if (sloElements.length > limits.endpoints) throw invalid(`The service provider lists more than ${limits.endpoints} SingleLogoutService endpoints.`);
  const singleLogout = sloElements.map((element, position): SpSingleLogout => {
    const what = `SingleLogoutService ${position + 1}`;
    const binding = requiredBinding(element, what);
    const url = endpointUrl(attr(element, 'Location'), what);
    const response = attr(element, 'ResponseLocation');
    return response === undefined ? { url, binding } : { url, binding, responseUrl: endpointUrl(response, `${what}'s ResponseLocation`) };
  });

  const keyDescriptors = children(sp, ns.metadata, 'KeyDescriptor');
  if (keyDescriptors.length > limits.keyDescriptors) throw invalid(`The service provider lists more than ${limits.keyDescriptors} KeyDescriptors.`);
  const signing: string[] = [];
  const encryption: string[] = [];
  const encryptionMethods: string[] = [];
  keyDescriptors.forEach((descriptor, position) => {
    const use = attr(descriptor, 'use');
    if (use !== undefined && use !== 'signing' && use !== 'encryption') {
      throw invalid(`KeyDescriptor ${position + 1} has use="${use.slice(0, 20)}"; expected signing or encryption.`);
    }
    const certificates = keyDescriptorCertificates(descriptor, position + 1);
    if (use !== 'encryption') signing.push(...certificates);
    if (use !== 'signing') {
      encryption.push(...certificates);
      for (const method of children(descriptor, ns.metadata, 'EncryptionMethod')) {
        const algorithm = attr(method, 'Algorithm')?.trim();
        if (algorithm) encryptionMethods.push(algorithm);
      }
    }
  });
  const unique = (values: string[]) => [...new Set(values)];
  if (signing.length + encryption.length > limits.certificates * 2) throw invalid(`The service provider lists more than ${limits.certificates} certificates.`);

  const nameIdFormats = children(sp, ns.metadata, 'NameIDFormat').map((element) => text(element) ?? '').filter(Boolean);
  if (nameIdFormats.length > limits.nameIdFormats) throw invalid(`The service provider lists more than ${limits.nameIdFormats} NameIDFormats.`);

  const authnRequestsSigned = xsBoolean(sp, 'AuthnRequestsSigned') ?? false;
  if (authnRequestsSigned && signing.length === 0) {
    throw invalid('The service provider signs its AuthnRequests (AuthnRequestsSigned="true") but its metadata has no signing certificate.');
  }
  return {
    entityId,
    acs,
    singleLogout,
    signingCertificates: unique(signing),
    encryptionCertificates: unique(encryption),
    encryptionMethods: unique(encryptionMethods),
    nameIdFormats,
    authnRequestsSigned,
    wantAssertionsSigned: xsBoolean(sp, 'WantAssertionsSigned') ?? false,
  };
}

/** Okta's names for the XML Encryption algorithms Lanyard can use. */
const dataAlgorithmNames: ReadonlyMap<string, 'AES256_GCM' | 'AES128_GCM' | 'AES256_CBC' | 'AES128_CBC'> = new Map([
  ['http://www.w3.org/2009/xmlenc11#aes256-gcm', 'AES256_GCM'],
  ['http://www.w3.org/2009/xmlenc11#aes128-gcm', 'AES128_GCM'],
  ['http://www.w3.org/2001/04/xmlenc#aes256-cbc', 'AES256_CBC'],
  ['http://www.w3.org/2001/04/xmlenc#aes128-cbc', 'AES128_CBC'],
]);
const keyTransportNames: ReadonlyMap<string, 'RSA_OAEP' | 'RSA_15'> = new Map([
  ['http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p', 'RSA_OAEP'],
  ['http://www.w3.org/2009/xmlenc11#rsa-oaep', 'RSA_OAEP'],
  ['http://www.w3.org/2001/04/xmlenc#rsa-1_5', 'RSA_15'],
]);
/** Name ID formats Lanyard issues, in Okta's spelling. */
const supportedNameIdFormats: ReadonlySet<string> = new Set([
  'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  'urn:oasis:names:tc:SAML:1.1:nameid-format:x509SubjectName',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
]);

/** The ACS Lanyard posts to by default: the POST endpoint marked default, else the POST endpoint with the lowest index. */
function defaultPostAcs(metadata: SpMetadata): SpAcs {
  const post = metadata.acs.filter((endpoint) => endpoint.binding === samlBindings.post);
  if (post.length === 0) throw invalid('The service provider has no AssertionConsumerService with the HTTP-POST binding.');
  return post.find((endpoint) => endpoint.isDefault) ?? [...post].sort((a, b) => a.index - b.index)[0]!;
}

/**
 * The Okta `settings.signOn` the metadata implies, on top of `existing` (an app's current
 * settings, when updating one): the ACS URLs (several POST endpoints turn on
 * `allowMultipleAcsEndpoints`), the entity ID as `audience` and `spIssuer`, the signing
 * certificate, signed requests, single logout, assertion encryption and the first Name ID format
 * Lanyard issues. Every other field of `existing` is kept. The result is input for
 * `samlSignOnSchema`, which applies the defaults and checks it.
 */
export function signOnFromMetadata(metadata: SpMetadata, existing: Partial<SamlSignOnInput> = {}): SamlSignOnInput {
  const acs = defaultPostAcs(metadata);
  const post = metadata.acs.filter((endpoint) => endpoint.binding === samlBindings.post);
  const signOn: SamlSignOnInput = { ...existing, ssoAcsUrl: acs.url, audience: metadata.entityId, spIssuer: metadata.entityId };

  // Recipient and Destination follow the ACS unless the admin set them apart from it.
  const previousAcs = existing.ssoAcsUrl;
  if (!existing.recipient || existing.recipient === previousAcs) signOn.recipient = acs.url;
  if (!existing.destination || existing.destination === previousAcs) signOn.destination = acs.url;

  if (post.length > 1) {
    signOn.allowMultipleAcsEndpoints = true;
    signOn.acsEndpoints = [...post].sort((a, b) => a.index - b.index).map((endpoint) => ({ url: endpoint.url, index: endpoint.index }));
  } else {
    signOn.allowMultipleAcsEndpoints = false;
    signOn.acsEndpoints = [];
  }

  const signing = metadata.signingCertificates.slice(0, 5);
  if (signing.length > 0) signOn.spCertificate = { x5c: signing };
  // Metadata that does not ask for signed requests never turns them off: that is the admin's call.
  signOn.samlSignedRequestEnabled = metadata.authnRequestsSigned || (existing.samlSignedRequestEnabled ?? false);
  if (metadata.wantAssertionsSigned) signOn.assertionSigned = true;

  const logout = metadata.singleLogout.find((endpoint) => endpoint.binding === samlBindings.redirect || endpoint.binding === samlBindings.post);
  if (logout) {
    signOn.participateSlo = {
      enabled: true,
      logoutRequestUrl: logout.url,
      bindingType: logout.binding === samlBindings.post ? 'POST' : 'REDIRECT',
      sessionIndexRequired: existing.participateSlo?.sessionIndexRequired ?? true,
    };
    // Okta verifies an SP's own logout requests with its certificate, so SP-initiated logout needs one.
    if (signing.length > 0 || (existing.spCertificate?.x5c?.length ?? 0) > 0) {
      signOn.slo = { enabled: true, issuer: metadata.entityId, logoutUrl: logout.responseUrl ?? logout.url };
    }
  }

  const encryptionCertificate = metadata.encryptionCertificates[0];
  if (encryptionCertificate) {
    const data = metadata.encryptionMethods.map((uri) => dataAlgorithmNames.get(uri)).find((name) => name !== undefined);
    const transport = metadata.encryptionMethods.map((uri) => keyTransportNames.get(uri)).find((name) => name !== undefined);
    signOn.assertionEncryption = {
      enabled: true,
      encryptionAlgorithm: data ?? existing.assertionEncryption?.encryptionAlgorithm ?? 'AES256_GCM',
      keyTransportAlgorithm: transport ?? existing.assertionEncryption?.keyTransportAlgorithm ?? 'RSA_OAEP',
      x5c: [encryptionCertificate],
    };
  }

  const format = metadata.nameIdFormats.find((candidate) => supportedNameIdFormats.has(candidate));
  if (format) signOn.subjectNameIdFormat = format as SamlSignOnInput['subjectNameIdFormat'];
  return signOn;
}
