/** The `profile` of a factor as Okta shows it: a security key's credential, or the login an authenticator app is set up for. */
import { defaultAuthenticatorName } from '../../services/factor-webauthn.ts';
import type { FactorRecord } from '../../services/ports.ts';

export function factorProfile(login: string, factor: FactorRecord): Record<string, string> {
  if (factor.factorType !== 'webauthn') return { credentialId: login };
  return {
    ...(factor.credential ? { credentialId: factor.credential.credentialId } : {}),
    authenticatorName: factor.credential?.authenticatorName ?? defaultAuthenticatorName,
  };
}
