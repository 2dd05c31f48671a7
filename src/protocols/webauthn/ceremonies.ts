/**
 * WebAuthn ceremonies (W3C Web Authentication, §7.1 registration and §7.2 authentication) for
 * factors in Okta's shape: the options a browser hands to `navigator.credentials.create()` and
 * `.get()`, and the checks of what the authenticator answers. The only module that imports
 * `@simplewebauthn/server`. Binary values travel as base64url; standard base64, which some Okta
 * clients send, is accepted too.
 *
 * Pure: no storage, no HTTP. The caller keeps each challenge (single use, short-lived) and the
 * credential, and says which relying party (the org's host and URL) the ceremony is for.
 */
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { decodeAttestationObject, decodeClientDataJSON, isoBase64URL, parseAuthenticatorData } from '@simplewebauthn/server/helpers';

/** Who the credential is scoped to: the org's host name, and the origin its pages are served from. */
export interface RelyingParty {
  readonly rpId: string;
  readonly origin: string;
}

/** The relying party of an org reached at `orgUrl` (its host is the RP ID, its URL the origin). */
export function relyingPartyFor(orgUrl: string): RelyingParty {
  const url = new URL(orgUrl);
  return { rpId: url.hostname, origin: url.origin };
}

/** What was wrong: the message is public (it names no secret); `malformed` is bad input, `refused` a failed check. */
export class WebAuthnError extends Error {
  readonly reason: 'malformed' | 'refused';
  /** For logs only. */
  readonly debug: string | undefined;

  constructor(reason: 'malformed' | 'refused', message: string, debug?: string) {
    super(message);
    this.name = 'WebAuthnError';
    this.reason = reason;
    this.debug = debug;
  }
}

/** How long the browser may take, and how long a challenge is kept for it. */
export const ceremonyTimeoutMs = 120_000;
export const challengeTtlSeconds = 300;

/** ES256, EdDSA, RS256: what security keys and platform authenticators make, in order of preference. */
const algorithms = [-7, -8, -257];

/** The stored form of a credential the assertion is checked against. */
export interface StoredCredential {
  readonly credentialId: string;
  readonly publicKey: string;
  readonly signCount: number;
  readonly transports: readonly string[];
}

/** base64url without padding, from base64url or standard base64; a malformed error otherwise. */
export function toBase64url(value: string, field: string): string {
  const trimmed = value.trim().replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  if (trimmed === '' || !/^[A-Za-z0-9_-]+$/.test(trimmed) || trimmed.length % 4 === 1) {
    throw new WebAuthnError('malformed', `${field}: must be base64url`);
  }
  return trimmed;
}

/** Options for `navigator.credentials.create()`, with a fresh challenge. */
export async function creationOptions(input: {
  readonly rp: RelyingParty;
  readonly rpName: string;
  readonly user: { readonly id: string; readonly login: string; readonly displayName: string };
  /** The user's other credentials, so an authenticator is not registered twice. */
  readonly exclude: readonly { readonly credentialId: string; readonly transports: readonly string[] }[];
}): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: input.rpName, rpID: input.rp.rpId,
    userID: new TextEncoder().encode(input.user.id), userName: input.user.login, userDisplayName: input.user.displayName,
    timeout: ceremonyTimeoutMs,
    // As Okta asks: the authenticator's statement, so its model (AAGUID) is known.
    attestationType: 'direct',
    excludeCredentials: input.exclude.map((c) => ({ id: c.credentialId, transports: [...c.transports] })),
    authenticatorSelection: { residentKey: 'discouraged', requireResidentKey: false, userVerification: 'preferred' },
    supportedAlgorithmIDs: algorithms,
  });
}

/** Options for `navigator.credentials.get()` for one credential, with a fresh challenge. */
export async function requestOptions(rp: RelyingParty, credential: Pick<StoredCredential, 'credentialId' | 'transports'>): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: rp.rpId, timeout: ceremonyTimeoutMs, userVerification: 'preferred',
    allowCredentials: [{ id: credential.credentialId, transports: [...credential.transports] }],
  });
}

/** The challenge a client data JSON answers, so the caller can find the one it issued. */
export function challengeOf(clientData: string): string {
  try {
    const challenge = decodeClientDataJSON(toBase64url(clientData, 'clientData')).challenge;
    if (typeof challenge === 'string' && challenge.length > 0 && challenge.length <= 200) return challenge;
  } catch (error) {
    if (error instanceof WebAuthnError) throw error;
  }
  throw new WebAuthnError('malformed', 'clientData: must be the client data JSON the browser returned, base64url');
}

/** A registered credential, after §7.1's checks (origin, RP ID hash, challenge, user presence, attestation). */
export interface VerifiedRegistration {
  readonly credentialId: string;
  readonly publicKey: string;
  readonly signCount: number;
  readonly aaguid: string;
  readonly userVerified: boolean;
}

export async function verifyAttestation(input: {
  readonly attestation: string; readonly clientData: string; readonly expectedChallenge: string; readonly rp: RelyingParty;
}): Promise<VerifiedRegistration> {
  const attestationObject = toBase64url(input.attestation, 'attestation');
  const clientDataJSON = toBase64url(input.clientData, 'clientData');
  let credentialId: string;
  try {
    const authData = parseAuthenticatorData(decodeAttestationObject(isoBase64URL.toBuffer(attestationObject)).get('authData'));
    if (!authData.credentialID) throw new Error('no attested credential data');
    credentialId = isoBase64URL.fromBuffer(authData.credentialID);
  } catch (error) {
    throw new WebAuthnError('malformed', 'attestation: must be the attestation object the browser returned, base64url', (error as Error).message);
  }
  let result;
  try {
    result = await verifyRegistrationResponse({
      response: { id: credentialId, rawId: credentialId, type: 'public-key', response: { clientDataJSON, attestationObject }, clientExtensionResults: {} },
      expectedChallenge: input.expectedChallenge, expectedOrigin: input.rp.origin, expectedRPID: input.rp.rpId,
      requireUserVerification: false, supportedAlgorithmIDs: algorithms,
    });
  } catch (error) {
    throw new WebAuthnError('refused', 'The authenticator\'s answer does not match this site or this enrolment.', (error as Error).message);
  }
  if (!result.verified) throw new WebAuthnError('refused', 'The authenticator\'s answer could not be verified.');
  const { credential, aaguid, userVerified } = result.registrationInfo;
  return { credentialId: credential.id, publicKey: isoBase64URL.fromBuffer(credential.publicKey), signCount: credential.counter, aaguid, userVerified };
}

/**
 * Checks an assertion (§7.2): client data type, challenge and origin, the RP ID hash, user
 * presence, the signature over authenticator data and the client data hash, and the signature
 * counter — "If authData.signCount is nonzero or storedSignCount is nonzero … if
 * authData.signCount is less than or equal to storedSignCount … the authenticator may be cloned":
 * such an assertion is refused.
 */
export async function verifyAssertion(input: {
  readonly clientData: string; readonly authenticatorData: string; readonly signatureData: string;
  readonly credential: StoredCredential; readonly expectedChallenge: string; readonly rp: RelyingParty;
}): Promise<{ readonly signCount: number; readonly userVerified: boolean }> {
  const response = {
    clientDataJSON: toBase64url(input.clientData, 'clientData'),
    authenticatorData: toBase64url(input.authenticatorData, 'authenticatorData'),
    signature: toBase64url(input.signatureData, 'signatureData'),
  };
  const { credential } = input;
  let result;
  try {
    result = await verifyAuthenticationResponse({
      response: { id: credential.credentialId, rawId: credential.credentialId, type: 'public-key', response, clientExtensionResults: {} },
      expectedChallenge: input.expectedChallenge, expectedOrigin: input.rp.origin, expectedRPID: input.rp.rpId,
      credential: { id: credential.credentialId, publicKey: isoBase64URL.toBuffer(credential.publicKey), counter: credential.signCount, transports: [...credential.transports] as never },
      requireUserVerification: false,
    });
  } catch (error) {
    const message = (error as Error).message;
    if (/counter/i.test(message)) throw new WebAuthnError('refused', 'The authenticator\'s signature counter went backwards: it may have been cloned.', message);
    throw new WebAuthnError('refused', 'The authenticator\'s answer does not match this site, this factor or this challenge.', message);
  }
  if (!result.verified) throw new WebAuthnError('refused', 'The authenticator\'s signature could not be verified.');
  return { signCount: result.authenticationInfo.newCounter, userVerified: result.authenticationInfo.userVerified };
}
