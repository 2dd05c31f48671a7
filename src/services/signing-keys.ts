/**
 * Signing keys of authorization servers (and, later, apps): generated here, sealed by the vault,
 * rotated by hand or on a schedule.
 *
 * ```mermaid
 * stateDiagram-v2
 *   [*] --> NEXT: generated (published in JWKS, does not sign)
 *   NEXT --> ACTIVE: rotation (signs from now on)
 *   ACTIVE --> EXPIRED: rotation (still published, verifies what it signed)
 *   EXPIRED --> [*]: every token it signed has expired
 * ```
 * There is always exactly one ACTIVE key and one NEXT key, so a relying party that caches the JWKS
 * already knows the next key before it signs anything.
 */
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { randomToken } from '../kernel/secrets.ts';
import type { Vault } from '../vault/envelope.ts';
import type { SigningKeyRecord } from './ports.ts';
import type { ServiceDeps } from './deps.ts';

export type SigningAlg = 'RS256' | 'ES256';

export interface KeyOwner {
  readonly type: SigningKeyRecord['ownerType'];
  readonly id: string;
}

const sealContext = (kid: string) => `signing-key:${kid}`;

async function generate(alg: SigningAlg): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { modulusLength: 2048, extractable: true });
  return { privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) };
}

export function createSigningKeyService(deps: ServiceDeps, vault: Vault) {
  const { store, clock } = deps;

  async function newKey(orgId: string, owner: KeyOwner, alg: SigningAlg, status: SigningKeyRecord['status']): Promise<SigningKeyRecord> {
    const kid = randomToken(24);
    const { privateJwk, publicJwk } = await generate(alg);
    const now = clock.now().toISOString();
    return {
      kid,
      ownerType: owner.type,
      ownerId: owner.id,
      alg,
      status,
      privateCiphertext: await vault.seal(orgId, JSON.stringify(privateJwk), sealContext(kid)),
      publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
      certificate: null,
      created: now,
      activated: status === 'ACTIVE' ? now : null,
      retired: null,
      deleteAfter: null,
    };
  }

  /** The owner's keys, creating the first ACTIVE and NEXT pair when there are none. Not for use inside a transaction. */
  async function ensure(orgId: string, owner: KeyOwner, alg: SigningAlg): Promise<SigningKeyRecord[]> {
    const scoped = store.forOrg(orgId);
    const keys = await scoped.signingKeys.listForOwner(owner.type, owner.id);
    const missing: SigningKeyRecord[] = [];
    if (!keys.some((k) => k.status === 'ACTIVE')) missing.push(await newKey(orgId, owner, alg, 'ACTIVE'));
    if (!keys.some((k) => k.status === 'NEXT')) missing.push(await newKey(orgId, owner, alg, 'NEXT'));
    for (const key of missing) await scoped.signingKeys.insert(key);
    return missing.length ? scoped.signingKeys.listForOwner(owner.type, owner.id) : keys;
  }

  /**
   * NEXT starts signing, ACTIVE retires but stays published until `maxTokenLifetimeSeconds` has
   * passed (so everything it signed still verifies), and a fresh NEXT is published.
   */
  async function rotate(orgId: string, owner: KeyOwner, alg: SigningAlg, maxTokenLifetimeSeconds: number): Promise<SigningKeyRecord[]> {
    // Keys are generated and sealed before the transaction: sealing may write the org's data key.
    await ensure(orgId, owner, alg);
    const fresh = await newKey(orgId, owner, alg, 'NEXT');
    return store.transaction(async (tx) => {
      const scoped = tx.forOrg(orgId);
      const keys = await scoped.signingKeys.listForOwner(owner.type, owner.id);
      const now = clock.now();
      const active = keys.find((k) => k.status === 'ACTIVE')!;
      const next = keys.find((k) => k.status === 'NEXT')!;
      await scoped.signingKeys.update(active.kid, {
        status: 'EXPIRED', retired: now.toISOString(),
        deleteAfter: new Date(now.getTime() + maxTokenLifetimeSeconds * 1000).toISOString(),
      });
      await scoped.signingKeys.update(next.kid, { status: 'ACTIVE', activated: now.toISOString() });
      await scoped.signingKeys.insert(fresh);
      return scoped.signingKeys.listForOwner(owner.type, owner.id);
    });
  }

  /** Rotates when the active key has signed for `intervalDays`; true when it did. */
  async function rotateIfDue(orgId: string, owner: KeyOwner, alg: SigningAlg, intervalDays: number, maxTokenLifetimeSeconds: number): Promise<boolean> {
    const keys = await ensure(orgId, owner, alg);
    const active = keys.find((k) => k.status === 'ACTIVE');
    const since = Date.parse(active?.activated ?? active?.created ?? '');
    if (active && clock.now().getTime() - since < intervalDays * 86_400_000) return false;
    await rotate(orgId, owner, alg, maxTokenLifetimeSeconds);
    return true;
  }

  /** Private JWKs for the protocol engine: the ACTIVE key first and the only one allowed to sign. */
  async function privateJwks(orgId: string, keys: readonly SigningKeyRecord[]): Promise<JWK[]> {
    const now = clock.now().getTime();
    const live = keys.filter((k) => k.status !== 'EXPIRED' || !k.deleteAfter || Date.parse(k.deleteAfter) > now)
      .sort((a, b) => (a.status === 'ACTIVE' ? -1 : b.status === 'ACTIVE' ? 1 : 0));
    const out: JWK[] = [];
    for (const key of live) {
      const jwk = JSON.parse(await vault.openText(orgId, key.privateCiphertext, sealContext(key.kid))) as JWK;
      out.push({ ...jwk, kid: key.kid, alg: key.alg, use: 'sig', ...(key.status === 'ACTIVE' ? {} : { key_ops: ['verify'] }) });
    }
    return out;
  }

  /** The published JWKS: ACTIVE, NEXT and EXPIRED keys still inside their verification window. */
  function publicJwks(keys: readonly SigningKeyRecord[]): { keys: Record<string, unknown>[] } {
    const now = clock.now().getTime();
    const order = { ACTIVE: 0, NEXT: 1, EXPIRED: 2 } as const;
    return {
      keys: keys.filter((k) => k.status !== 'EXPIRED' || !k.deleteAfter || Date.parse(k.deleteAfter) > now)
        .sort((a, b) => order[a.status] - order[b.status])
        .map((k) => k.publicJwk),
    };
  }

  /** The owner's keys as they are, creating none. */
  const list = (orgId: string, owner: KeyOwner) => store.forOrg(orgId).signingKeys.listForOwner(owner.type, owner.id);

  return { ensure, list, rotate, rotateIfDue, privateJwks, publicJwks };
}

export type SigningKeyService = ReturnType<typeof createSigningKeyService>;
