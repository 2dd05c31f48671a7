/**
 * MFA factors in Okta's shape (`/api/v1/users/{id}/factors`). This part: software TOTP
 * (`token:software:totp`, provider GOOGLE or OKTA) — enrolment gives a shared secret and a QR
 * code, a first passcode activates it, later passcodes verify (each accepted once). Secrets are
 * sealed by the vault. An admin, or the user, can remove a factor or reset them all.
 */
import { z } from 'zod';
import { AppError, notFound, validationError } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { newTotpSecret, otpauthUri, verifyTotp } from '../protocols/otp/totp.ts';
import type { Vault } from '../vault/envelope.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import { UniqueViolation, type FactorRecord } from './ports.ts';
import { buildEvent, userTarget } from './system-log.ts';
import { requireUser } from './user-lookup.ts';
import { parseOrThrow } from './validation.ts';
import type { SignInFactors } from '../signin/mfa.ts';

export const enrollSchema = z.object({
  factorType: z.enum(['token:software:totp'], { error: 'must be token:software:totp (the factor types this version enrols)' }),
  provider: z.enum(['GOOGLE', 'OKTA'], { error: 'must be GOOGLE or OKTA' }),
}).loose();

const passCodeSchema = z.object({ passCode: z.string({ error: 'is required' }).max(20) }).loose();

const secretContext = (factorId: string) => `factor-secret:${factorId}`;

export function createFactorService(deps: ServiceDeps, vault: Vault) {
  const { store, clock } = deps;

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

  async function activate(caller: Caller, userId: string, factorId: string, raw: unknown): Promise<FactorRecord> {
    const factor = await requireFactor(caller, userId, factorId);
    if (factor.status === 'ACTIVE') throw validationError(['factorId: the factor is already active'], 'factor');
    await check(caller, factor, raw);
    const user = await requireUser(store.forOrg(caller.org.id), userId);
    await store.transaction(async (tx) => {
      const org = tx.forOrg(caller.org.id);
      await org.factors.update(factor.id, { status: 'ACTIVE', lastUpdated: clock.now().toISOString() });
      await org.logs.append(buildEvent(clock, caller, 'user.mfa.factor.activate', { targets: [userTarget(user)], debugData: { factor: factor.factorType } }));
    });
    return (await store.forOrg(caller.org.id).factors.find(userId, factorId))!;
  }

  async function verify(caller: Caller, userId: string, factorId: string, raw: unknown): Promise<void> {
    const factor = await requireFactor(caller, userId, factorId);
    if (factor.status !== 'ACTIVE') throw new AppError('factor.not_active', { detail: 'the factor is not active', causes: ['factorId: activate the factor first'] });
    const user = await requireUser(store.forOrg(caller.org.id), userId);
    try {
      await check(caller, factor, raw);
    } catch (error) {
      await store.forOrg(caller.org.id).logs.append(buildEvent(clock, caller, 'user.authentication.auth_via_mfa', {
        targets: [userTarget(user)], outcome: 'FAILURE', reason: 'INVALID_CREDENTIALS', debugData: { factor: factor.factorType },
      }));
      throw error;
    }
    await store.forOrg(caller.org.id).logs.append(buildEvent(clock, caller, 'user.authentication.auth_via_mfa', {
      targets: [userTarget(user)], debugData: { factor: factor.factorType },
    }));
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

  return { list, enroll, enrollmentUri, activate, verify, remove, resetAll, requireFactor };
}

export type FactorService = ReturnType<typeof createFactorService>;

/** The factor operations the sign-in flow needs, over this service. */
export function signInFactors(factors: FactorService, deps: Pick<ServiceDeps, 'store'>): SignInFactors {
  return {
    activeFactors: async (orgId, userId) => (await deps.store.forOrg(orgId).factors.listForUser(userId)).filter((f) => f.status === 'ACTIVE'),
    verify: async (caller, userId, factorId, raw) => {
      await factors.verify(caller, userId, factorId, raw);
      return { amr: ['otp'] };
    },
  };
}
