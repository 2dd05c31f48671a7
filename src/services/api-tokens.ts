/**
 * API tokens (`Authorization: SSWS …`). A token acts with its owner's administrator rights; only
 * its SHA-256 hash is stored. Like Okta's, a token expires after 30 days without use.
 */
import { AppError, notFound, validationError } from '../kernel/errors.ts';
import { newId, randomBase62 } from '../kernel/ids.ts';
import { hashToken } from '../kernel/secrets.ts';
import type { Org } from '../domain/org.ts';
import type { User } from '../domain/user.ts';
import type { ApiTokenRecord } from './ports.ts';
import type { ServiceDeps } from './deps.ts';
import type { Caller } from './caller.ts';
import { buildEvent } from './system-log.ts';
import { requireUser } from './user-lookup.ts';

const idleLifetimeMs = 30 * 24 * 3600 * 1000;
/** How stale `lastUpdated` may get before a use slides the expiry; saves a write per request. */
const touchIntervalMs = 3600 * 1000;

export const adminRoles = ['SUPER_ADMIN', 'ORG_ADMIN'] as const;

export interface TokenPrincipal {
  readonly token: ApiTokenRecord;
  readonly user: User;
  readonly roles: readonly string[];
}

function tokenTarget(token: ApiTokenRecord) {
  return { id: token.id, type: 'Token', alternateId: 'unknown', displayName: token.name };
}

export function createApiTokenService(deps: ServiceDeps) {
  const { store, clock } = deps;

  /** Creates a token for `userId` (an administrator); the secret is returned once and never again. */
  async function create(caller: Caller, input: { name: string; userId: string; token?: string | undefined }): Promise<{ record: ApiTokenRecord; token: string }> {
    const name = input.name.trim();
    if (!name || name.length > 255) throw validationError(['name: must be 1 to 255 characters']);
    const org = store.forOrg(caller.org.id);
    const owner = await requireUser(org, input.userId);
    const roles = await org.users.roles(owner.id);
    if (!roles.some((r) => (adminRoles as readonly string[]).includes(r))) {
      throw validationError(['userId: API tokens can only be created for administrators']);
    }
    const token = input.token ?? `00${randomBase62(40)}`;
    const now = clock.now();
    const record: ApiTokenRecord = {
      id: newId('apiToken'),
      orgId: caller.org.id,
      name,
      tokenHash: hashToken(token),
      userId: owner.id,
      clientName: 'Okta API',
      created: now.toISOString(),
      lastUpdated: now.toISOString(),
      expiresAt: new Date(now.getTime() + idleLifetimeMs).toISOString(),
    };
    await store.transaction(async (tx) => {
      const scoped = tx.forOrg(caller.org.id);
      await scoped.apiTokens.insert(record);
      await scoped.logs.append(buildEvent(clock, caller, 'system.api_token.create', { targets: [tokenTarget(record)] }));
    });
    return { record, token };
  }

  /** The principal behind a presented token, or `E0000011`. */
  async function authenticate(org: Org, presented: string): Promise<TokenPrincipal> {
    const scoped = store.forOrg(org.id);
    const token = await scoped.apiTokens.findByHash(hashToken(presented));
    const now = clock.now();
    if (!token || Date.parse(token.expiresAt) <= now.getTime()) throw new AppError('auth.invalid_token');
    const user = await scoped.users.findById(token.userId);
    const roles = user ? await scoped.users.roles(user.id) : [];
    if (!user || user.status !== 'ACTIVE' && user.status !== 'PASSWORD_EXPIRED' || roles.length === 0) {
      throw new AppError('auth.invalid_token', { debug: `token ${token.id} owner is not an active administrator` });
    }
    if (now.getTime() - Date.parse(token.lastUpdated) > touchIntervalMs) {
      await scoped.apiTokens.touch(token.id, now.toISOString(), new Date(now.getTime() + idleLifetimeMs).toISOString());
    }
    return { token, user, roles };
  }

  async function list(caller: Caller): Promise<ApiTokenRecord[]> {
    return store.forOrg(caller.org.id).apiTokens.list();
  }

  async function get(caller: Caller, id: string): Promise<ApiTokenRecord> {
    const token = await store.forOrg(caller.org.id).apiTokens.findById(id);
    if (!token) throw notFound('ApiToken', id);
    return token;
  }

  async function revoke(caller: Caller, id: string): Promise<void> {
    const token = await get(caller, id);
    await store.transaction(async (tx) => {
      const scoped = tx.forOrg(caller.org.id);
      await scoped.apiTokens.delete(token.id);
      await scoped.logs.append(buildEvent(clock, caller, 'system.api_token.revoke', { targets: [tokenTarget(token)] }));
    });
  }

  return { create, authenticate, list, get, revoke };
}

export type ApiTokenService = ReturnType<typeof createApiTokenService>;
