/**
 * WebAuthn factors (`webauthn`, provider FIDO): a user may register several security keys or
 * passkeys, each its own factor. Enrolment hands out creation options and keeps their challenge;
 * activation checks the authenticator's attestation and stores the credential; verification hands
 * out request options for one credential, then checks the assertion and moves the signature
 * counter forward. Challenges live in the shared short-lived state (so any node can finish a
 * ceremony another began), answer once, and expire after five minutes.
 */
import { z } from 'zod';
import type { User } from '../domain/user.ts';
import { AppError, validationError } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import {
  challengeOf, challengeTtlSeconds, creationOptions, requestOptions, verifyAssertion, verifyAttestation, WebAuthnError, type RelyingParty,
} from '../protocols/webauthn/ceremonies.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import { UniqueViolation, type FactorRecord } from './ports.ts';
import type { ProtocolState } from './protocol-state.ts';
import { parseOrThrow } from './validation.ts';

/** The name Okta gives an authenticator it has no metadata for. */
export const defaultAuthenticatorName = 'Security Key or Biometric Authenticator';

const encoded = z.string({ error: 'is required' }).min(1, { error: 'is required' }).max(16_384);
const activationSchema = z.object({ attestation: encoded, clientData: encoded }).loose();
const assertionSchema = z.object({ clientData: encoded, authenticatorData: encoded, signatureData: encoded }).loose();

type Ceremony = 'create' | 'get';
interface ChallengeEntry extends Record<string, unknown> {
  readonly factorId: string;
  readonly ceremony: Ceremony;
}

/** A failed check is the caller's problem, said plainly; the library's own words go to logs only. */
function toAppError(error: unknown): unknown {
  if (!(error instanceof WebAuthnError)) return error;
  if (error.reason === 'malformed') return validationError([error.message]);
  return new AppError('factor.webauthn_refused', { causes: [error.message], ...(error.debug ? { debug: error.debug } : {}) });
}

async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toAppError(error);
  }
}

export function createWebAuthnFactors(deps: ServiceDeps, state: ProtocolState) {
  const { store, clock } = deps;

  const issue = (orgId: string, factor: FactorRecord, ceremony: Ceremony, challenge: string) =>
    state.put(orgId, 'WebAuthnChallenge', challenge, { factorId: factor.id, ceremony } satisfies ChallengeEntry, challengeTtlSeconds);

  /** The challenge the client data answers, if this factor was given it for this ceremony and it is unused; it is used up now. */
  async function consume(orgId: string, factor: FactorRecord, ceremony: Ceremony, clientData: string): Promise<string> {
    const challenge = challengeOf(clientData);
    const entry = await state.get<ChallengeEntry>(orgId, 'WebAuthnChallenge', challenge);
    if (!entry || entry.factorId !== factor.id || entry.ceremony !== ceremony) {
      throw new WebAuthnError('refused', 'The challenge was not issued for this factor, or it expired: ask for a new one.');
    }
    // Claimed atomically, so two requests racing with one answer cannot both pass.
    if (!await state.claim(orgId, 'WebAuthnChallengeUsed', challenge, challengeTtlSeconds)) {
      throw new WebAuthnError('refused', 'The challenge was already answered: ask for a new one.');
    }
    await state.remove(orgId, 'WebAuthnChallenge', challenge);
    return challenge;
  }

  /** A new pending factor (replacing the user's other pending WebAuthn enrolment) and the options to create its credential. */
  async function enroll(caller: Caller, user: User, rp: RelyingParty) {
    const org = store.forOrg(caller.org.id);
    const existing = (await org.factors.listForUser(user.id)).filter((f) => f.factorType === 'webauthn');
    const now = clock.now().toISOString();
    const factor: FactorRecord = {
      id: newId('webauthnFactor'), userId: user.id, factorType: 'webauthn', provider: 'FIDO', status: 'PENDING_ACTIVATION',
      secret: '', lastStep: null, created: now, lastUpdated: now,
    };
    const name = [user.profile.firstName, user.profile.lastName].filter(Boolean).join(' ') || user.profile.login;
    const options = await creationOptions({
      rp, rpName: caller.org.displayName, user: { id: user.id, login: user.profile.login, displayName: name },
      exclude: existing.flatMap((f) => f.credential ? [f.credential] : []),
    });
    await store.transaction(async (tx) => {
      const scoped = tx.forOrg(caller.org.id);
      for (const pending of existing.filter((f) => f.status === 'PENDING_ACTIVATION')) await scoped.factors.delete(user.id, pending.id);
      await scoped.factors.insert(factor);
    });
    await issue(caller.org.id, factor, 'create', options.challenge);
    return { factor, options };
  }

  /** Checks the attestation against the enrolment's challenge and this org, and stores the credential (the factor becomes ACTIVE). */
  async function activate(caller: Caller, factor: FactorRecord, raw: unknown, rp: RelyingParty): Promise<void> {
    const input = parseOrThrow(activationSchema, raw);
    const registered = await mapped(async () => verifyAttestation({
      attestation: input.attestation, clientData: input.clientData, rp,
      expectedChallenge: await consume(caller.org.id, factor, 'create', input.clientData),
    }));
    try {
      await store.forOrg(caller.org.id).factors.saveCredential(factor.id, {
        credentialId: registered.credentialId, publicKey: registered.publicKey, signCount: registered.signCount,
        transports: [], aaguid: registered.aaguid, authenticatorName: defaultAuthenticatorName,
      }, clock.now().toISOString());
    } catch (error) {
      if (error instanceof UniqueViolation) throw new AppError('factor.already_enrolled', { causes: ['This authenticator is already registered.'] });
      throw error;
    }
  }

  /** Options for `navigator.credentials.get()` with this factor's credential; the challenge is kept for {@link verify}. */
  async function challenge(caller: Caller, factor: FactorRecord, rp: RelyingParty) {
    const options = await requestOptions(rp, factor.credential!);
    await issue(caller.org.id, factor, 'get', options.challenge);
    return options;
  }

  /** Checks an assertion and moves the counter forward; says whether the authenticator verified the user. */
  async function verify(caller: Caller, factor: FactorRecord, raw: unknown, rp: RelyingParty): Promise<{ userVerified: boolean }> {
    const input = parseOrThrow(assertionSchema, raw);
    const credential = factor.credential!;
    const checked = await mapped(async () => verifyAssertion({
      clientData: input.clientData, authenticatorData: input.authenticatorData, signatureData: input.signatureData, credential, rp,
      expectedChallenge: await consume(caller.org.id, factor, 'get', input.clientData),
    }));
    // Compare-and-set, so two assertions checked at once against the same stored count cannot both land.
    if (!await store.forOrg(caller.org.id).factors.useSignCount(factor.id, credential.signCount, checked.signCount, clock.now().toISOString())) {
      throw toAppError(new WebAuthnError('refused', 'Another sign-in with this authenticator happened at the same moment: try again.'));
    }
    return { userVerified: checked.userVerified };
  }

  return { enroll, activate, challenge, verify };
}

export type WebAuthnFactors = ReturnType<typeof createWebAuthnFactors>;
