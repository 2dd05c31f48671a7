/**
 * Service provider metadata (src/protocols/saml/sp-metadata.ts): documents shaped like what real
 * SPs publish (Shibboleth SP, mod_auth_mellon, pysaml2, a Node SP library, a multi-tenant app
 * with several POST endpoints, an aggregate), each read into plain data and turned into Okta's
 * `settings.signOn`; and hostile or broken ones (DTDs and entities, oversized input, several
 * SPs, script URLs, bad certificates), each refused with a message that says what is wrong.
 * Certificates are generated with openssl for the run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveSamlServiceProvider, samlSignOnSchema } from '../../src/domain/saml-app.ts';
import { certificateBody } from '../../src/protocols/saml/signature.ts';
import { testKeyPair } from '../helpers/certificates.ts';
import { parseSpMetadata, samlBindings, signOnFromMetadata } from '../../src/protocols/saml/sp-metadata.ts';
import { SamlError } from '../../src/protocols/saml/xml.ts';
import { issuesToCauses } from '../../src/services/validation.ts';

/** A self-signed certificate from openssl, as bare base64 DER. */
function opensslCertificate(key: 'rsa' | 'ec', commonName: string): string {
  return certificateBody(testKeyPair(commonName, key).certificatePem);
}

/** Certificates as SPs print them in metadata: 64-character lines, indented. */
const pretty = (body: string, indent = '          ') => `\n${body.match(/.{1,64}/g)!.map((line) => indent + line).join('\n')}\n${indent}`;

let signingCert: string;
let encryptionCert: string;
let mellonCert: string;
let ecCert: string;

beforeAll(() => {
  signingCert = opensslCertificate('rsa', 'sp.example.org signing');
  encryptionCert = opensslCertificate('rsa', 'sp.example.org encryption');
  mellonCert = opensslCertificate('rsa', 'mellon.example.org');
  ecCert = opensslCertificate('ec', 'ec.example.org');
});

const now = new Date('2025-06-01T00:00:00Z');
const post = samlBindings.post;
const redirect = samlBindings.redirect;

/** What Shibboleth SP 3 serves at /Shibboleth.sso/Metadata (abridged), with separate signing and encryption keys. */
const shibboleth = () => `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
    xmlns:init="urn:oasis:names:tc:SAML:profiles:SSO:request-init" xmlns:idpdisc="urn:oasis:names:tc:SAML:profiles:SSO:idp-discovery-protocol"
    xmlns:alg="urn:oasis:names:tc:SAML:metadata:algsupport" xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui"
    ID="_1b2c3d4e5f" validUntil="2030-01-01T00:00:00Z" entityID="https://sp.example.org/shibboleth">
  <md:Extensions>
    <alg:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha512"/>
    <alg:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
    <alg:SigningMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
  </md:Extensions>
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol urn:oasis:names:tc:SAML:1.1:protocol urn:oasis:names:tc:SAML:1.0:protocol">
    <md:Extensions>
      <init:RequestInitiator Binding="urn:oasis:names:tc:SAML:profiles:SSO:request-init" Location="https://sp.example.org/Shibboleth.sso/Login"/>
      <idpdisc:DiscoveryResponse Binding="urn:oasis:names:tc:SAML:profiles:SSO:idp-discovery-protocol" Location="https://sp.example.org/Shibboleth.sso/Login" index="1"/>
      <mdui:UIInfo><mdui:DisplayName xml:lang="en">Example Research Portal</mdui:DisplayName></mdui:UIInfo>
    </md:Extensions>
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo>
        <ds:KeyName>sp.example.org</ds:KeyName>
        <ds:X509Data>
          <ds:X509SubjectName>CN=sp.example.org signing</ds:X509SubjectName>
          <ds:X509Certificate>${pretty(signingCert)}</ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:KeyDescriptor use="encryption">
      <ds:KeyInfo>
        <ds:KeyName>sp.example.org</ds:KeyName>
        <ds:X509Data>
          <ds:X509SubjectName>CN=sp.example.org encryption</ds:X509SubjectName>
          <ds:X509Certificate>${pretty(encryptionCert)}</ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
      <md:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#aes128-gcm"/>
      <md:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#aes256-gcm"/>
      <md:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
      <md:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc"/>
      <md:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#rsa-oaep"/>
      <md:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"/>
    </md:KeyDescriptor>
    <md:ArtifactResolutionService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="https://sp.example.org/Shibboleth.sso/Artifact/SOAP" index="1"/>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="https://sp.example.org/Shibboleth.sso/SLO/SOAP"/>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://sp.example.org/Shibboleth.sso/SLO/Redirect"/>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp.example.org/Shibboleth.sso/SLO/POST"/>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact" Location="https://sp.example.org/Shibboleth.sso/SLO/Artifact"/>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp.example.org/Shibboleth.sso/SAML2/POST" index="1"/>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST-SimpleSign" Location="https://sp.example.org/Shibboleth.sso/SAML2/POST-SimpleSign" index="2"/>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact" Location="https://sp.example.org/Shibboleth.sso/SAML2/Artifact" index="3"/>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:PAOS" Location="https://sp.example.org/Shibboleth.sso/SAML2/ECP" index="4"/>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:1.0:profiles:browser-post" Location="https://sp.example.org/Shibboleth.sso/SAML/POST" index="5"/>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:1.0:profiles:artifact-01" Location="https://sp.example.org/Shibboleth.sso/SAML/Artifact" index="6"/>
  </md:SPSSODescriptor>
  <md:Organization>
    <md:OrganizationName xml:lang="en">Example University</md:OrganizationName>
    <md:OrganizationDisplayName xml:lang="en">Example University</md:OrganizationDisplayName>
    <md:OrganizationURL xml:lang="en">https://www.example.org/</md:OrganizationURL>
  </md:Organization>
  <md:ContactPerson contactType="technical"><md:EmailAddress>mailto:it@example.org</md:EmailAddress></md:ContactPerson>
</md:EntityDescriptor>`;

/** A Node SP library's generated metadata: default namespace, no KeyDescriptor, one POST ACS. */
const minimal = `<?xml version="1.0"?>
<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://app.example.com/saml/metadata" ID="https___app_example_com_saml_metadata">
  <SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" AuthnRequestsSigned="false" WantAssertionsSigned="true">
    <NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</NameIDFormat>
    <AssertionConsumerService index="1" isDefault="true" Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://app.example.com/login/callback"/>
  </SPSSODescriptor>
</EntityDescriptor>`;

/** What pysaml2's make_metadata writes: ns0/ns1 prefixes, signed requests, SLO over Redirect and POST. */
const pysaml2 = () => `<?xml version='1.0' encoding='UTF-8'?>
<ns0:EntityDescriptor xmlns:ns0="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ns1="http://www.w3.org/2000/09/xmldsig#" entityID="https://sp.pysaml2.example/sp.xml"><ns0:SPSSODescriptor AuthnRequestsSigned="true" WantAssertionsSigned="1" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><ns0:KeyDescriptor use="signing"><ns1:KeyInfo><ns1:X509Data><ns1:X509Certificate>${signingCert}</ns1:X509Certificate></ns1:X509Data></ns1:KeyInfo></ns0:KeyDescriptor><ns0:KeyDescriptor use="encryption"><ns1:KeyInfo><ns1:X509Data><ns1:X509Certificate>${encryptionCert}</ns1:X509Certificate></ns1:X509Data></ns1:KeyInfo></ns0:KeyDescriptor><ns0:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://sp.pysaml2.example/slo/redirect" /><ns0:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp.pysaml2.example/slo/post" ResponseLocation="https://sp.pysaml2.example/slo/post/response" /><ns0:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</ns0:NameIDFormat><ns0:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</ns0:NameIDFormat><ns0:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp.pysaml2.example/acs/post" index="1" /><ns0:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://sp.pysaml2.example/acs/redirect" index="2" /></ns0:SPSSODescriptor><ns0:Organization><ns0:OrganizationName xml:lang="en">Example</ns0:OrganizationName><ns0:OrganizationDisplayName xml:lang="en">Example</ns0:OrganizationDisplayName><ns0:OrganizationURL xml:lang="en">https://www.example.com</ns0:OrganizationURL></ns0:Organization><ns0:ContactPerson contactType="technical"><ns0:GivenName>Ops</ns0:GivenName><ns0:EmailAddress>ops@example.com</ns0:EmailAddress></ns0:ContactPerson></ns0:EntityDescriptor>`;

/** What mod_auth_mellon's mellon_create_metadata.sh writes: one key for both uses, SOAP and Redirect SLO. */
const mellon = () => `<EntityDescriptor
 entityID="https://mellon.example.org/mellon/metadata"
 xmlns="urn:oasis:names:tc:SAML:2.0:metadata">
  <SPSSODescriptor
    AuthnRequestsSigned="true"
    WantAssertionsSigned="true"
    protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <KeyDescriptor>
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data>
          <ds:X509Certificate>${pretty(mellonCert, '')}</ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </KeyDescriptor>
    <SingleLogoutService
      Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP"
      Location="https://mellon.example.org/mellon/logout" />
    <SingleLogoutService
      Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
      Location="https://mellon.example.org/mellon/logout" />
    <NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</NameIDFormat>
    <AssertionConsumerService
      index="0"
      isDefault="true"
      Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
      Location="https://mellon.example.org/mellon/postResponse" />
    <AssertionConsumerService
      index="1"
      Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact"
      Location="https://mellon.example.org/mellon/artifactResponse" />
    <AssertionConsumerService
      index="2"
      Binding="urn:oasis:names:tc:SAML:2.0:bindings:PAOS"
      Location="https://mellon.example.org/mellon/paosResponse" />
  </SPSSODescriptor>
</EntityDescriptor>`;

/** A multi-tenant app with several POST endpoints, the default not the lowest index. */
const multiTenant = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="urn:saas:example">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://eu.saas.example/acs" index="3"/>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://us.saas.example/acs" index="1" isDefault="true"/>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://ap.saas.example/acs" index="0" isDefault="false"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>`;

/** An IdP's EntityDescriptor, for aggregates and for the "wrong document" case. */
const idpEntity = (entityId = 'https://idp.example.org/idp/shibboleth') => `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entityId}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.org/idp/profile/SAML2/Redirect/SSO"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;

const spEntity = (entityId: string, extra = '') => `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entityId}"${extra}>
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${entityId}/acs" index="0"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>`;

/** An SP document with `body` as the content of its SPSSODescriptor. */
const withDescriptor = (body: string, attributes = '') => `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://sp.example.com">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"${attributes}>${body}</md:SPSSODescriptor>
</md:EntityDescriptor>`;
const postAcs = '<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp.example.com/acs" index="0"/>';

function refusal(xml: string): SamlError {
  try {
    parseSpMetadata(xml, { now });
  } catch (error) {
    if (error instanceof SamlError) return error;
    throw error;
  }
  throw new Error('the metadata was accepted');
}

function signOnCauses(input: unknown): string[] {
  const result = samlSignOnSchema.safeParse(input);
  return result.success ? [] : issuesToCauses(result.error, 'settings.signOn');
}

describe('metadata real service providers publish', () => {
  it('reads Shibboleth SP metadata: every ACS binding, SLO endpoints, separate signing and encryption keys', () => {
    const metadata = parseSpMetadata(shibboleth(), { now });
    expect(metadata).toEqual({
      entityId: 'https://sp.example.org/shibboleth',
      acs: [
        { url: 'https://sp.example.org/Shibboleth.sso/SAML2/POST', binding: post, index: 1, isDefault: false },
        { url: 'https://sp.example.org/Shibboleth.sso/SAML2/POST-SimpleSign', binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST-SimpleSign', index: 2, isDefault: false },
        { url: 'https://sp.example.org/Shibboleth.sso/SAML2/Artifact', binding: samlBindings.artifact, index: 3, isDefault: false },
        { url: 'https://sp.example.org/Shibboleth.sso/SAML2/ECP', binding: samlBindings.paos, index: 4, isDefault: false },
        { url: 'https://sp.example.org/Shibboleth.sso/SAML/POST', binding: 'urn:oasis:names:tc:SAML:1.0:profiles:browser-post', index: 5, isDefault: false },
        { url: 'https://sp.example.org/Shibboleth.sso/SAML/Artifact', binding: 'urn:oasis:names:tc:SAML:1.0:profiles:artifact-01', index: 6, isDefault: false },
      ],
      singleLogout: [
        { url: 'https://sp.example.org/Shibboleth.sso/SLO/SOAP', binding: samlBindings.soap },
        { url: 'https://sp.example.org/Shibboleth.sso/SLO/Redirect', binding: redirect },
        { url: 'https://sp.example.org/Shibboleth.sso/SLO/POST', binding: post },
        { url: 'https://sp.example.org/Shibboleth.sso/SLO/Artifact', binding: samlBindings.artifact },
      ],
      signingCertificates: [signingCert],
      encryptionCertificates: [encryptionCert],
      encryptionMethods: [
        'http://www.w3.org/2009/xmlenc11#aes128-gcm', 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
        'http://www.w3.org/2001/04/xmlenc#aes128-cbc', 'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
        'http://www.w3.org/2009/xmlenc11#rsa-oaep', 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
      ],
      nameIdFormats: [],
      authnRequestsSigned: false,
      wantAssertionsSigned: false,
    });
  });

  it('turns Shibboleth SP metadata into Okta settings that resolve', () => {
    const signOn = signOnFromMetadata(parseSpMetadata(shibboleth(), { now }));
    expect(signOn).toEqual({
      ssoAcsUrl: 'https://sp.example.org/Shibboleth.sso/SAML2/POST',
      recipient: 'https://sp.example.org/Shibboleth.sso/SAML2/POST',
      destination: 'https://sp.example.org/Shibboleth.sso/SAML2/POST',
      audience: 'https://sp.example.org/shibboleth',
      spIssuer: 'https://sp.example.org/shibboleth',
      allowMultipleAcsEndpoints: false,
      acsEndpoints: [],
      spCertificate: { x5c: [signingCert] },
      samlSignedRequestEnabled: false,
      participateSlo: { enabled: true, logoutRequestUrl: 'https://sp.example.org/Shibboleth.sso/SLO/Redirect', bindingType: 'REDIRECT', sessionIndexRequired: true },
      slo: { enabled: true, issuer: 'https://sp.example.org/shibboleth', logoutUrl: 'https://sp.example.org/Shibboleth.sso/SLO/Redirect' },
      assertionEncryption: { enabled: true, encryptionAlgorithm: 'AES128_GCM', keyTransportAlgorithm: 'RSA_OAEP', x5c: [encryptionCert] },
    });
    expect(signOnCauses(signOn)).toEqual([]);
    const resolved = resolveSamlServiceProvider(signOn, { orgUrl: 'http://localhost:8080', appId: '0oa1', orgExternalKey: 'exk1' });
    expect(resolved.ok && resolved.sp.encryption).toEqual({ certificate: encryptionCert, dataAlgorithm: 'AES128_GCM', keyTransportAlgorithm: 'RSA_OAEP' });
    expect(resolved.ok && resolved.sp.acsUrls).toEqual([{ url: 'https://sp.example.org/Shibboleth.sso/SAML2/POST', index: undefined, isDefault: true }]);
  });

  it('reads a minimal SP without keys', () => {
    const metadata = parseSpMetadata(minimal, { now });
    expect(metadata).toEqual({
      entityId: 'https://app.example.com/saml/metadata',
      acs: [{ url: 'https://app.example.com/login/callback', binding: post, index: 1, isDefault: true }],
      singleLogout: [], signingCertificates: [], encryptionCertificates: [], encryptionMethods: [],
      nameIdFormats: ['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'],
      authnRequestsSigned: false, wantAssertionsSigned: true,
    });
    const signOn = signOnFromMetadata(metadata);
    expect(signOn).toEqual({
      ssoAcsUrl: 'https://app.example.com/login/callback', recipient: 'https://app.example.com/login/callback',
      destination: 'https://app.example.com/login/callback', audience: 'https://app.example.com/saml/metadata',
      spIssuer: 'https://app.example.com/saml/metadata', allowMultipleAcsEndpoints: false, acsEndpoints: [],
      samlSignedRequestEnabled: false, assertionSigned: true, subjectNameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    });
    expect(signOnCauses(signOn)).toEqual([]);
  });

  it('reads pysaml2 metadata: signed requests, SLO with a ResponseLocation, the first Name ID format Lanyard issues', () => {
    const metadata = parseSpMetadata(pysaml2(), { now });
    expect(metadata.authnRequestsSigned).toBe(true);
    expect(metadata.wantAssertionsSigned).toBe(true);
    expect(metadata.singleLogout).toEqual([
      { url: 'https://sp.pysaml2.example/slo/redirect', binding: redirect },
      { url: 'https://sp.pysaml2.example/slo/post', binding: post, responseUrl: 'https://sp.pysaml2.example/slo/post/response' },
    ]);
    const signOn = signOnFromMetadata(metadata);
    expect(signOn).toMatchObject({
      ssoAcsUrl: 'https://sp.pysaml2.example/acs/post', allowMultipleAcsEndpoints: false,
      samlSignedRequestEnabled: true, spCertificate: { x5c: [signingCert] }, assertionSigned: true,
      participateSlo: { enabled: true, logoutRequestUrl: 'https://sp.pysaml2.example/slo/redirect', bindingType: 'REDIRECT' },
      subjectNameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      assertionEncryption: { enabled: true, encryptionAlgorithm: 'AES256_GCM', keyTransportAlgorithm: 'RSA_OAEP', x5c: [encryptionCert] },
    });
    expect(signOnCauses(signOn)).toEqual([]);
  });

  it('reads mod_auth_mellon metadata, whose one key serves signing and encryption', () => {
    const metadata = parseSpMetadata(mellon(), { now });
    expect(metadata.signingCertificates).toEqual([mellonCert]);
    expect(metadata.encryptionCertificates).toEqual([mellonCert]);
    expect(metadata.acs.map((acs) => [acs.index, acs.isDefault])).toEqual([[0, true], [1, false], [2, false]]);
    const signOn = signOnFromMetadata(metadata);
    expect(signOn).toMatchObject({
      ssoAcsUrl: 'https://mellon.example.org/mellon/postResponse', samlSignedRequestEnabled: true,
      subjectNameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
      participateSlo: { logoutRequestUrl: 'https://mellon.example.org/mellon/logout', bindingType: 'REDIRECT' },
      slo: { enabled: true, logoutUrl: 'https://mellon.example.org/mellon/logout' },
      assertionEncryption: { enabled: true, x5c: [mellonCert] },
    });
    expect(signOnCauses(signOn)).toEqual([]);
  });

  it('allows every POST endpoint of a multi-tenant app, the one marked default first', () => {
    const signOn = signOnFromMetadata(parseSpMetadata(multiTenant, { now }));
    expect(signOn).toMatchObject({
      ssoAcsUrl: 'https://us.saas.example/acs', allowMultipleAcsEndpoints: true,
      acsEndpoints: [
        { url: 'https://ap.saas.example/acs', index: 0 }, { url: 'https://us.saas.example/acs', index: 1 }, { url: 'https://eu.saas.example/acs', index: 3 },
      ],
    });
    const resolved = resolveSamlServiceProvider(signOn, { orgUrl: 'http://localhost:8080', appId: '0oa1', orgExternalKey: 'exk1' });
    expect(resolved.ok && resolved.sp.acsUrls).toEqual([
      { url: 'https://ap.saas.example/acs', index: 0, isDefault: false },
      { url: 'https://us.saas.example/acs', index: 1, isDefault: true },
      { url: 'https://eu.saas.example/acs', index: 3, isDefault: false },
    ]);
    // Without isDefault, the lowest index is the default.
    expect(signOnFromMetadata(parseSpMetadata(multiTenant.replace(' isDefault="true"', ''), { now })).ssoAcsUrl).toBe('https://ap.saas.example/acs');
  });

  it('takes the one SP out of an aggregate that also lists IdPs', () => {
    const aggregate = `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" Name="urn:federation:example" validUntil="2031-01-01T00:00:00Z">
      ${idpEntity()}
      <md:EntitiesDescriptor Name="nested">${spEntity('https://wiki.example.org')}</md:EntitiesDescriptor>
    </md:EntitiesDescriptor>`;
    expect(parseSpMetadata(aggregate, { now }).entityId).toBe('https://wiki.example.org');
  });
});

describe('updating an app from new metadata', () => {
  it('keeps every setting the metadata does not speak to', () => {
    const existing = {
      ssoAcsUrl: 'https://old.example.com/acs', recipient: 'https://old.example.com/acs', destination: 'https://proxy.example.com/acs',
      audience: 'https://old.example.com', defaultRelayState: '/dashboard', honorForceAuthn: false, samlSignedRequestEnabled: true,
      spCertificate: { x5c: [signingCert] }, subjectNameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent' as const,
      attributeStatements: [{ type: 'EXPRESSION' as const, name: 'email', values: ['user.email'] }], inlineHooks: [{ id: 'cal1' }],
    };
    const signOn = signOnFromMetadata(parseSpMetadata(shibboleth(), { now }), existing);
    expect(signOn).toMatchObject({
      ssoAcsUrl: 'https://sp.example.org/Shibboleth.sso/SAML2/POST',
      recipient: 'https://sp.example.org/Shibboleth.sso/SAML2/POST', // followed the ACS
      destination: 'https://proxy.example.com/acs', // set apart by the admin: kept
      audience: 'https://sp.example.org/shibboleth',
      defaultRelayState: '/dashboard', honorForceAuthn: false, inlineHooks: [{ id: 'cal1' }],
      attributeStatements: existing.attributeStatements,
      samlSignedRequestEnabled: true, // metadata that does not ask for it never turns it off
      subjectNameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', // Shibboleth lists none
    });
    expect(signOnCauses(signOn)).toEqual([]);
  });

  it('surfaces a certificate Lanyard cannot use through the settings\' own causes', () => {
    const metadata = parseSpMetadata(withDescriptor(`<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${ecCert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>${postAcs}`), { now });
    expect(metadata.signingCertificates).toEqual([ecCert]);
    expect(signOnCauses(signOnFromMetadata(metadata))).toEqual(['settings.signOn.spCertificate.x5c.0: must hold an RSA public key']);
  });
});

describe('hostile metadata', () => {
  it('refuses DTDs and entities: no entity expansion, no external entities', () => {
    const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&lol3;"/>`;
    const xxe = `<?xml version="1.0"?><!DOCTYPE md [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${spEntity('https://sp.example.com').replace('entityID="https://sp.example.com"', 'entityID="&xxe;"')}`;
    for (const xml of [billionLaughs, xxe, `<!doctype html>${spEntity('https://sp.example.com')}`]) {
      const error = refusal(xml);
      expect(error.fault).toBe('forbidden');
      expect(error.message).toBe('Document type declarations are not allowed in SAML messages.');
    }
  });

  it('refuses processing instructions', () => {
    expect(refusal(`<?xml version="1.0"?><?xml-stylesheet href="https://evil.example/x.xsl"?>${minimal.replace('<?xml version="1.0"?>', '')}`).fault).toBe('forbidden');
  });

  it('refuses oversized documents before parsing them', () => {
    const padding = `<!--${'x'.repeat(300 * 1024)}-->`;
    const error = refusal(minimal.replace('<SPSSODescriptor', `${padding}<SPSSODescriptor`));
    expect(error.fault).toBe('too_large');
    expect(parseSpMetadata(minimal, { now, maxBytes: 4096 }).entityId).toBe('https://app.example.com/saml/metadata');
    expect(() => parseSpMetadata(minimal, { now, maxBytes: 100 })).toThrow('The message is too large.');
  });

  it('refuses aggregates with several service providers', () => {
    const two = `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${spEntity('https://a.example.com')}${spEntity('https://b.example.com')}</md:EntitiesDescriptor>`;
    expect(refusal(two).message).toBe('The metadata describes 2 service providers; upload the metadata of the one this app is for.');
  });

  it.each([
    ['javascript:alert(document.cookie)', 'AssertionConsumerService 1 has Location "javascript:alert(document.cookie)", which is not an absolute https or http URL.'],
    ['JaVaScRiPt:alert(1)', 'AssertionConsumerService 1 has Location "JaVaScRiPt:alert(1)", which is not an absolute https or http URL.'],
    ['data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==', 'AssertionConsumerService 1 has Location "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", which is not an absolute https or http URL.'],
    ['/relative/acs', 'AssertionConsumerService 1 has Location "/relative/acs", which is not an absolute https or http URL.'],
    ['https://sp.example.com/acs#x', 'AssertionConsumerService 1 has a Location with a fragment (#…).'],
    ['https://admin:secret@sp.example.com/acs', 'AssertionConsumerService 1 has a Location with a user name or password.'],
  ])('refuses the ACS Location %s', (location, message) => {
    const error = refusal(withDescriptor(`<md:AssertionConsumerService Binding="${post}" Location="${location}" index="0"/>`));
    expect(error.fault).toBe('invalid');
    expect(error.message).toBe(message);
  });

  it('refuses script URLs in endpoints Lanyard would not even use', () => {
    expect(refusal(withDescriptor(`<md:AssertionConsumerService Binding="${samlBindings.artifact}" Location="javascript:alert(1)" index="1"/>${postAcs}`)).message)
      .toMatch(/^AssertionConsumerService 1 has Location "javascript:alert\(1\)"/);
    expect(refusal(withDescriptor(`<md:SingleLogoutService Binding="${redirect}" Location="https://sp.example.com/slo" ResponseLocation="vbscript:msgbox(1)"/>${postAcs}`)).message)
      .toBe('SingleLogoutService 1\'s ResponseLocation has Location "vbscript:msgbox(1)", which is not an absolute https or http URL.');
  });

  it('reads only elements in the metadata namespace, whatever their prefix', () => {
    const decoy = `<evil:AssertionConsumerService xmlns:evil="urn:evil" Binding="${post}" Location="https://evil.example.net/acs" index="9" isDefault="true"/>`;
    const metadata = parseSpMetadata(withDescriptor(`${decoy}${postAcs}`), { now });
    expect(metadata.acs).toEqual([{ url: 'https://sp.example.com/acs', binding: post, index: 0, isDefault: false }]);
    // An EntityDescriptor in another namespace is not metadata at all.
    expect(refusal(spEntity('https://sp.example.com').replaceAll('urn:oasis:names:tc:SAML:2.0:metadata', 'urn:evil')).message)
      .toBe('Expected SAML metadata (<EntityDescriptor> or <EntitiesDescriptor>), got <EntityDescriptor>.');
  });

  it('refuses certificates that are not certificates', () => {
    const key = (content: string, use = 'signing') => withDescriptor(`<md:KeyDescriptor use="${use}"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${content}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>${postAcs}`);
    const message = 'KeyDescriptor 1 holds a certificate that is not a valid base64 DER X.509 certificate.';
    expect(refusal(key('not-base64!')).message).toBe(message);
    expect(refusal(key(Buffer.from('definitely not DER').toString('base64'))).message).toBe(message);
    expect(refusal(key(signingCert.slice(0, 300))).message).toBe(message);
    expect(refusal(key('')).message).toBe(message);
    expect(refusal(key(signingCert, 'both')).message).toBe('KeyDescriptor 1 has use="both"; expected signing or encryption.');
  });
});

describe('broken metadata', () => {
  it('refuses documents that are not SP metadata', () => {
    expect(refusal(idpEntity()).message).toBe('The metadata describes no service provider (no <SPSSODescriptor>).');
    expect(refusal('<html><body>Sign in</body></html>').message).toBe('Expected SAML metadata (<EntityDescriptor> or <EntitiesDescriptor>), got <html>.');
    expect(refusal('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><md:SPSSODescriptor>').fault).toBe('malformed');
    expect(refusal('').fault).toBe('malformed');
  });

  it('needs an entityID, SAML 2.0 support, and one SAML 2.0 descriptor', () => {
    expect(refusal(spEntity('https://sp.example.com').replace(' entityID="https://sp.example.com"', '')).message).toBe('<EntityDescriptor> has no entityID.');
    expect(refusal(spEntity('https://sp.example.com').replace('entityID="https://sp.example.com"', `entityID="https://sp.example.com/${'a'.repeat(1100)}"`)).message)
      .toBe('The entityID is longer than 1024 characters.');
    expect(refusal(spEntity('https://sp.example.com').replace('urn:oasis:names:tc:SAML:2.0:protocol', 'urn:oasis:names:tc:SAML:1.1:protocol')).message)
      .toBe('The service provider does not support SAML 2.0 (protocolSupportEnumeration).');
    const twice = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sp.example.com">
      <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${postAcs}</md:SPSSODescriptor>
      <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${postAcs}</md:SPSSODescriptor></md:EntityDescriptor>`;
    expect(refusal(twice).message).toBe('The service provider has more than one SAML 2.0 <SPSSODescriptor>.');
  });

  it('needs an ACS with the HTTP-POST binding', () => {
    expect(refusal(withDescriptor(`<md:AssertionConsumerService Binding="${samlBindings.artifact}" Location="https://sp.example.com/artifact" index="0"/>`)).message)
      .toBe('The service provider has no AssertionConsumerService with the HTTP-POST binding, which Lanyard sends responses with.');
    expect(refusal(withDescriptor('')).message)
      .toBe('The service provider has no AssertionConsumerService with the HTTP-POST binding, which Lanyard sends responses with.');
  });

  it('checks ACS indexes, bindings and booleans', () => {
    expect(refusal(withDescriptor(`${postAcs}${postAcs.replace('/acs', '/acs2')}`)).message).toBe('AssertionConsumerService 2 repeats index 0.');
    expect(refusal(withDescriptor(`<md:AssertionConsumerService Binding="${post}" Location="https://sp.example.com/acs"/>`)).message).toBe('AssertionConsumerService 1 has no index.');
    expect(refusal(withDescriptor(postAcs.replace('index="0"', 'index="-1"'))).message).toBe('AssertionConsumerService 1 has index "-1", which is not a number from 0 to 65535.');
    expect(refusal(withDescriptor(postAcs.replace('index="0"', 'index="70000"'))).message).toBe('AssertionConsumerService 1 has index "70000", which is not a number from 0 to 65535.');
    expect(refusal(withDescriptor(postAcs.replace(` Binding="${post}"`, ''))).message).toBe('AssertionConsumerService 1 has no Binding.');
    expect(refusal(withDescriptor(postAcs.replace(' Location="https://sp.example.com/acs"', ''))).message).toBe('AssertionConsumerService 1 has no Location.');
    expect(refusal(withDescriptor(postAcs.replace('index="0"', 'index="0" isDefault="yes"'))).message).toBe('isDefault="yes" on <AssertionConsumerService> is not a boolean.');
    expect(refusal(withDescriptor(postAcs, ' WantAssertionsSigned="TRUE"')).message).toBe('WantAssertionsSigned="TRUE" on <SPSSODescriptor> is not a boolean.');
  });

  it('refuses signed requests without a signing certificate', () => {
    expect(refusal(withDescriptor(postAcs, ' AuthnRequestsSigned="true"')).message)
      .toBe('The service provider signs its AuthnRequests (AuthnRequestsSigned="true") but its metadata has no signing certificate.');
  });

  it('refuses expired metadata, at any level', () => {
    expect(refusal(spEntity('https://sp.example.com', ' validUntil="2020-01-01T00:00:00Z"')).message)
      .toBe('The metadata expired on 2020-01-01T00:00:00.000Z (validUntil); ask the service provider for current metadata.');
    expect(refusal(`<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" validUntil="2024-12-31T23:59:59Z">${spEntity('https://sp.example.com')}</md:EntitiesDescriptor>`).message)
      .toMatch(/^The metadata expired on 2024-12-31T23:59:59\.000Z/);
    expect(refusal(spEntity('https://sp.example.com', ' validUntil="next tuesday"')).message).toBe('validUntil="next tuesday" on <EntityDescriptor> is not a date and time.');
    expect(parseSpMetadata(spEntity('https://sp.example.com', ' validUntil="2020-01-01T00:00:00Z"'), { now: new Date('2019-06-01T00:00:00Z') }).entityId).toBe('https://sp.example.com');
  });

  it('bounds the number of endpoints and keys', () => {
    const many = Array.from({ length: 101 }, (_, i) => postAcs.replace('index="0"', `index="${i}"`)).join('');
    expect(refusal(withDescriptor(many)).message).toBe('The service provider lists more than 100 AssertionConsumerService endpoints.');
  });
});
