/**
 * MFA factors in Okta's shape (`/api/v1/users/{id}/factors`):
 * - software TOTP (`token:software:totp`, provider GOOGLE or OKTA): enrolment gives a shared
 *   secret and a QR code, a first passcode activates it and hands out ten one-time backup codes,
 *   later passcodes (each accepted once) or backup codes verify. Secrets are sealed by the vault.
 * - WebAuthn (`webauthn`, provider FIDO; see `factor-webauthn.ts`): any number per user.
 * An admin, or the user, can remove a factor or reset them all.
 *
 * The interface the sign-in flow builds on (kept stable):
 * - `activeFactors(orgId, userId)`: the user's ACTIVE factors, oldest first.
 * - `enroll(caller, userIdOrLogin, {factorType: 'token:software:totp', provider})`:
 *   `{factor, secret, uri, login}`; `enrollWebAuthn(caller, userIdOrLogin, rp)`:
 *   `{factor, options, login}`, `options` being PublicKeyCredentialCreationOptions as JSON.
 * - `activate(caller, userId, factorId, raw, rp?)`: `raw` is `{passCode}` for TOTP or
 *   `{attestation, clientData}` (base64url) for WebAuthn, which needs `rp`. Answers the now ACTIVE
 *   factor; a TOTP factor's answer also carries `backupCodes`, shown to the user once.
 * - `challenge(caller, userId, factorId, rp)`: for WebAuthn the request options (as JSON) for
 *   `navigator.credentials.get()`, their challenge kept server-side for five minutes and
 *   answerable once; for TOTP there is nothing to send (undefined).
 * - `verify(caller, userId, factorId, raw, rp?)`: `raw` is `{passCode}` (a TOTP code or a backup
 *   code) or `{clientData, authenticatorData, signatureData}` (base64url) for WebAuthn. Answers the
 *   RFC 8176 methods used: `['otp']` for TOTP and backup codes, `['hwk']` or `['hwk', 'user']`
 *   (when the authenticator verified the user) for WebAuthn. Refusals are `factor.invalid_passcode`
 *   or `factor.webauthn_refused` (403), `request.validation_failed` for malformed input,
 *   `factor.not_active` before activation. Throttling attempts is the caller's business.
 * - `regenerateBackupCodes(caller, userId, factorId)`: a new set of a TOTP factor's codes.
 * `rp` is `relyingPartyFor(orgUrl)` from `protocols/webauthn/ceremonies.ts`.
 */
import { z } from 'zod';
import { AppError, notFound, validationError } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { newTotpSecret, otpauthUri, verifyTotp } from '../protocols/otp/totp.ts';
import type { RelyingParty } from '../protocols/webauthn/ceremonies.ts';
import type { Vault } from '../vault/envelope.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import { createBackupCodes, normalizeBackupCode } from './factor-backup-codes.ts';
import { createWebAuthnFactors } from './factor-webauthn.ts';
import { UniqueViolation, type FactorRecord } from './ports.ts';
import type { ProtocolState } from './protocol-state.ts';
import { buildEvent, userTarget } from './system-log.ts';
import { requireUser } from './user-lookup.ts';
import { parseOrThrow } from './validation.ts';

export const enrollSchema = z.object({
  factorType: z.enum(['token:software:totp'], { error: 'must be token:software:totp or webauthn (the factor types this version enrols)' }),
  provider: z.enum(['GOOGLE', 'OKTA'], { error: 'must be GOOGLE or OKTA' }),
}).loose();

export const webauthnEnrollSchema = z.object({
  factorType: z.literal('webauthn'),
  provider: z.literal('FIDO', { error: 'must be FIDO' }),
}).loose();

/** Which methods a verification used, in RFC 8176's words (for the `amr` claim). */
export interface Verification {
  readonly amr: string[];
}

/** A factor just activated; a TOTP factor's also comes with its backup codes, to show once. */
export interface ActivatedFactor extends FactorRecord {
  readonly backupCodes?: readonly string[];
}

const passCodeSchema = z.object({ passCode: z.string({ error: 'is required' }).max(20) }).loose();

const secretContext = (factorId: string) => `factor-secret:${factorId}`;

export function createFactorService(deps: ServiceDeps, vault: Vault, state: ProtocolState) {
  const { store, clock } = deps;
  const webauthn = createWebAuthnFactors(deps, state);
  const backupCodes = createBackupCodes(deps.masterKey);

  /** WebAuthn ceremonies are bound to the org's host: a caller that starts one must say which. */
  function requireRp(rp: RelyingParty | undefined): RelyingParty {
    if (!rp) throw new Error('a WebAuthn factor needs the relying party (the org URL the request came to)');
    return rp;
  }

  async function activeFactors(orgId: string, userId: string): Promise<FactorRecord[]> {
    return (await store.forOrg(orgId).factors.listForUser(userId)).filter((f) => f.status === 'ACTIVE');
  }

  async function requireFactor(caller: Caller, userId: string, factorId: string): Promise<FactorRecord> {
    const factor = await store.forOrg(caller.org.id).factors.find(userId, factorId);
    if (!factor) throw notFound('UserFactor', factorId);
    return factor;
  }

  async function list(caller: Caller, idOrLogin: string): Promise<{ userId: string; login: string; factors: FactorRecord[] }> {
    const user = await requireUser(store.forOrg(caller.org.id), idOrLogin);
    return { userId: user.id, login: user.profile.login, factors: await store.forOrg(caller.org.id).factors.listForUser(user.id) };
  }

  /** Enrols a factor: PENDING_ACTIVATION, with the shared secret the authenticator app takes. */
  async function enroll(caller: Caller, idOrLogin: string, raw: unknown): Promise<{ factor: FactorRecord; secret: string; uri: string; login: string }> {
    const input = parseOrThrow(enrollSchema, raw);
    const user = await requireUser(store.forOrg(caller.org.id), idOrLogin);
    const id = newId('totpFactor');
    const secret = newTotpSecret();
    const now = clock.now().toISOString();
    const factor: FactorRecord = {
      id, userId: user.id, factorType: input.factorType, provider: input.provider, status: 'PENDING_ACTIVATION',
      secret: await vault.seal(caller.org.id, secret, secretContext(id)), lastStep: null, created: now, lastUpdated: now,
    };
    const existing = (await store.forOrg(caller.org.id).factors.listForUser(user.id))
      .find((f) => f.factorType === input.factorType && f.provider === input.provider);
    if (existing?.status === 'ACTIVE') throw new AppError('factor.already_enrolled', { causes: ['A factor of this type is already set up.'] });
    try {
      await store.transaction(async (tx) => {
        const org = tx.forOrg(caller.org.id);
        // A pending enrolment is replaced by a new one, as Okta does.
        if (existing) await org.factors.delete(user.id, existing.id);
        await org.factors.insert(factor);
      });
    } catch (error) {
      if (error instanceof UniqueViolation) throw new AppError('factor.already_enrolled', { causes: ['A factor of this type is already set up.'] });
      throw error;
    }
    return { factor, secret, uri: otpauthUri(caller.org.displayName, user.profile.login, secret), login: user.profile.login };
  }

  /** Enrols a WebAuthn factor: PENDING_ACTIVATION, with the options for `navigator.credentials.create()`. */
  async function enrollWebAuthn(caller: Caller, idOrLogin: string, rp: RelyingParty) {
    const user = await requireUser(store.forOrg(caller.org.id), idOrLogin);
    const { factor, options } = await webauthn.enroll(caller, user, rp);
    return { factor, options, login: user.profile.login };
  }

  /** The authenticator app's enrolment URI, while the factor awaits activation (for the QR code). */
  async function enrollmentUri(caller: Caller, userId: string, factorId: string): Promise<string> {
    const factor = await requireFactor(caller, userId, factorId);
    if (factor.status !== 'PENDING_ACTIVATION') throw notFound('UserFactorActivation', factorId);
    const user = await requireUser(store.forOrg(caller.org.id), userId);
    return otpauthUri(caller.org.displayName, user.profile.login, await vault.openText(caller.org.id, factor.secret, secretContext(factor.id)));
  }

  /** Checks a passcode against a factor; records its step so it is never accepted again. */
  async function check(caller: Caller, factor: FactorRecord, raw: unknown): Promise<void> {
    const { passCode } = parseOrThrow(passCodeSchema, raw);
    const secret = await vault.openText(caller.org.id, factor.secret, secretContext(factor.id));
    const step = verifyTotp(secret, passCode.trim(), clock.now(), factor.lastStep);
    const accepted = step !== undefined && await store.forOrg(caller.org.id).factors.useStep(factor.id, step, clock.now().toISOString());
    if (!accepted) throw new AppError('factor.invalid_passcode', { causes: ['Your passcode doesn\'t match our records. Please try again.'] });
  }

  async function activate(caller: Caller, userId: string, factorId: string, raw: unknown, rp?: RelyingParty): Promise<ActivatedFactor> {
    const factor = await requireFactor(caller, userId, factorId);
    if (factor.status === 'ACTIVE') throw validationError(['factorId: the factor is already active'], 'factor');
    const user = await requireUser(store.forOrg(caller.org.id), userId);
    if (factor.factorType === 'webauthn') {
      await webauthn.activate(caller, factor, raw, requireRp(rp));
      await store.forOrg(caller.org.id).logs.append(buildEvent(clock, caller, 'user.mfa.factor.activate', {
        targets: [userTarget(user)], debugData: { factor: factor.factorType },
      }));
      return (await store.forOrg(caller.org.id).factors.find(userId, factorId))!;
    }
    await check(caller, factor, raw);
    const codes = await store.transaction(async (tx) => {
      const org = tx.forOrg(caller.org.id);
      const now = clock.now().toISOString();
      await org.factors.update(factor.id, { status: 'ACTIVE', lastUpdated: now });
      await org.logs.append(buildEvent(clock, caller, 'user.mfa.factor.activate', { targets: [userTarget(user)], debugData: { factor: factor.factorType } }));
      return backupCodes.issue(org, factor.id, now);
    });
    return { ...(await store.forOrg(caller.org.id).factors.find(userId, factorId))!, backupCodes: codes };
  }

  async function requireActive(caller: Caller, userId: string, factorId: string): Promise<FactorRecord> {
    const factor = await requireFactor(caller, userId, factorId);
    if (factor.status !== 'ACTIVE') throw new AppError('factor.not_active', { detail: 'the factor is not active', causes: ['factorId: activate the factor first'] });
    return factor;
  }

  /** What the authenticator must answer: WebAuthn request options (JSON); nothing for TOTP. */
  async function challenge(caller: Caller, userId: string, factorId: string, rp: RelyingParty) {
    const factor = await requireActive(caller, userId, factorId);
    return factor.factorType === 'webauthn' ? webauthn.challenge(caller, factor, rp) : undefined;
  }

  /** A TOTP passcode, or one of the factor's backup codes (logged, with how many are left). */
  async function checkPassCode(caller: Caller, factor: FactorRecord, raw: unknown): Promise<Record<string, string>> {
    const { passCode } = parseOrThrow(passCodeSchema, raw);
    if (normalizeBackupCode(passCode)) {
      const used = await backupCodes.use(store.forOrg(caller.org.id), factor.id, passCode, clock.now().toISOString());
      if (!used) throw new AppError('factor.invalid_passcode', { causes: ['Your passcode doesn\'t match our records. Please try again.'] });
      return { method: 'backup_code', backupCodesRemaining: String(used.remaining) };
    }
    await check(caller, factor, raw);
    return {};
  }

  async function verify(caller: Caller, userId: string, factorId: string, raw: unknown, rp?: RelyingParty): Promise<Verification> {
    const factor = await requireActive(caller, userId, factorId);
    const user = await requireUser(store.forOrg(caller.org.id), userId);
    let amr: string[];
    let details: Record<string, string>;
    try {
      if (factor.factorType === 'webauthn') {
        const { userVerified } = await webauthn.verify(caller, factor, raw, requireRp(rp));
        amr = userVerified ? ['hwk', 'user'] : ['hwk'];
        details = { userVerified: String(userVerified) };
      } else {
        details = await checkPassCode(caller, factor, raw);
        amr = ['otp'];
      }
    } catch (error) {
      await store.forOrg(caller.org.id).logs.append(buildEvent(clock, caller, 'user.authentication.auth_via_mfa', {
        targets: [userTarget(user)], outcome: 'FAILURE', reason: 'INVALID_CREDENTIALS', debugData: { factor: factor.factorType },
      }));
      throw error;
    }
    await store.forOrg(caller.org.id).logs.append(buildEvent(clock, caller, 'user.authentication.auth_via_mfa', {
      targets: [userTarget(user)], debugData: { factor: factor.factorType, ...details },
    }));
    return { amr };
  }

  /** A new set of backup codes for an active TOTP factor; the old ones stop working. */
  async function regenerateBackupCodes(caller: Caller, userId: string, factorId: string): Promise<string[]> {
    const factor = await requireActive(caller, userId, factorId);
    if (factor.factorType !== 'token:software:totp') throw validationError(['factorId: backup codes belong to TOTP factors'], 'factorId');
    const user = await requireUser(store.forOrg(caller.org.id), userId);
    return store.transaction(async (tx) => {
      const org = tx.forOrg(caller.org.id);
      const now = clock.now().toISOString();
      await org.logs.append(buildEvent(clock, caller, 'user.mfa.factor.update', {
        targets: [userTarget(user)], debugData: { factor: factor.factorType, backupCodes: 'regenerated' },
      }));
      return backupCodes.issue(org, factor.id, now);
    });
  }

  async function remove(caller: Caller, userId: string, factorId: string): Promise<void> {
    const factor = await requireFactor(caller, userId, factorId);
    const user = await requireUser(store.forOrg(caller.org.id), userId);
    await store.transaction(async (tx) => {
      const org = tx.forOrg(caller.org.id);
      await org.factors.delete(userId, factor.id);
      await org.logs.append(buildEvent(clock, caller, 'user.mfa.factor.deactivate', { targets: [userTarget(user)], debugData: { factor: factor.factorType } }));
    });
  }

  async function resetAll(caller: Caller, idOrLogin: string): Promise<void> {
    const user = await requireUser(store.forOrg(caller.org.id), idOrLogin);
    await store.transaction(async (tx) => {
      const org = tx.forOrg(caller.org.id);
      await org.factors.deleteForUser(user.id);
      await org.logs.append(buildEvent(clock, caller, 'user.mfa.factor.reset_all', { targets: [userTarget(user)] }));
    });
  }

  return {
    list, activeFactors, enroll, enrollWebAuthn, enrollmentUri, activate, challenge, verify, regenerateBackupCodes, remove, resetAll, requireFactor,
  };
}

export type FactorService = ReturnType<typeof createFactorService>;
