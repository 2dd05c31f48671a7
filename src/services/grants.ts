/**
 * A user's OAuth consents (grants) and the tokens that hang off them, as Okta's API shows them:
 * one grant per scope of a client, revocable one by one or all at once. Revoking the last scope of
 * a client's grant revokes the grant, and with it its refresh and access tokens.
 */
import { createHash } from 'node:crypto';
import { notFound } from '../kernel/errors.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import { buildEvent, userTarget } from './system-log.ts';
import { requireUser } from './user-lookup.ts';

export interface ScopeGrant {
  readonly id: string;
  readonly asId: string;
  readonly grantId: string;
  readonly clientId: string;
  readonly userId: string;
  readonly scope: string;
  readonly created: string;
}

/** Okta-looking, stable id of one scope of one grant. */
function scopeGrantId(grantId: string, scope: string): string {
  return `oag${createHash('sha256').update(`${grantId}|${scope}`).digest('base64url').replace(/[-_]/g, '').slice(0, 17)}`;
}

function scopesOf(payload: Record<string, unknown>): string[] {
  const openid = ((payload.openid as { scope?: string } | undefined)?.scope ?? '').split(' ');
  const resources = Object.values((payload.resources ?? {}) as Record<string, string>).flatMap((s) => s.split(' '));
  return [...new Set([...openid, ...resources].filter(Boolean))];
}

export function createGrantService(deps: ServiceDeps) {
  const { store, clock } = deps;

  async function list(caller: Caller, idOrLogin: string, clientId?: string): Promise<ScopeGrant[]> {
    const scoped = store.forOrg(caller.org.id);
    const user = await requireUser(scoped, idOrLogin);
    const now = clock.now().toISOString();
    const out: ScopeGrant[] = [];
    for (const { asId, id, record } of await scoped.oidcPayloads.listForAccount(user.id, 'Grant')) {
      if (record.expiresAt && record.expiresAt <= now) continue;
      if (clientId && record.clientId !== clientId) continue;
      const created = new Date(Number(record.payload.iat ?? 0) * 1000).toISOString();
      for (const scope of scopesOf(record.payload)) {
        out.push({ id: scopeGrantId(id, scope), asId, grantId: id, clientId: record.clientId ?? '', userId: user.id, scope, created });
      }
    }
    return out;
  }

  /** Revokes whole grants (all of a user's, or a client's) with their tokens. */
  async function revokeAll(caller: Caller, idOrLogin: string, clientId?: string): Promise<number> {
    const scoped = store.forOrg(caller.org.id);
    const user = await requireUser(scoped, idOrLogin);
    const grants = new Map((await list(caller, user.id, clientId)).map((g) => [g.grantId, g]));
    for (const grant of grants.values()) {
      await scoped.oidcPayloads.revokeByGrantId(grant.asId, grant.grantId);
      await scoped.oidcPayloads.destroy(grant.asId, 'Grant', grant.grantId);
    }
    if (grants.size) await scoped.logs.append(buildEvent(clock, caller, 'app.oauth2.as.consent.revoke', { targets: [userTarget(user)] }));
    return grants.size;
  }

  /** Revokes one scope of a grant; the last one takes the grant and its tokens with it. */
  async function revokeOne(caller: Caller, idOrLogin: string, scopeGrantId: string): Promise<void> {
    const scoped = store.forOrg(caller.org.id);
    const user = await requireUser(scoped, idOrLogin);
    const target = (await list(caller, user.id)).find((g) => g.id === scopeGrantId);
    if (!target) throw notFound('OAuth2ScopeConsentGrant', scopeGrantId);
    const record = (await scoped.oidcPayloads.find(target.asId, 'Grant', target.grantId))!;
    const remaining = scopesOf(record.payload).filter((s) => s !== target.scope);
    if (remaining.length === 0) {
      await scoped.oidcPayloads.revokeByGrantId(target.asId, target.grantId);
      await scoped.oidcPayloads.destroy(target.asId, 'Grant', target.grantId);
    } else {
      const payload = { ...record.payload };
      const openid = payload.openid as { scope?: string } | undefined;
      if (openid?.scope) payload.openid = { ...openid, scope: openid.scope.split(' ').filter((s) => s !== target.scope).join(' ') };
      payload.resources = Object.fromEntries(Object.entries((payload.resources ?? {}) as Record<string, string>)
        .map(([aud, s]) => [aud, s.split(' ').filter((x) => x !== target.scope).join(' ')]));
      await scoped.oidcPayloads.upsert(target.asId, 'Grant', target.grantId, { ...record, payload });
    }
    await scoped.logs.append(buildEvent(clock, caller, 'app.oauth2.as.consent.revoke', { targets: [userTarget(user)], debugData: { scope: target.scope } }));
  }

  /** Revokes a user's refresh tokens for a client (their grants, and so their access tokens, stay). */
  async function revokeRefreshTokens(caller: Caller, idOrLogin: string, clientId: string): Promise<number> {
    const scoped = store.forOrg(caller.org.id);
    const user = await requireUser(scoped, idOrLogin);
    const tokens = (await scoped.oidcPayloads.listForAccount(user.id, 'RefreshToken')).filter((t) => t.record.clientId === clientId);
    for (const t of tokens) await scoped.oidcPayloads.destroy(t.asId, 'RefreshToken', t.id);
    if (tokens.length) await scoped.logs.append(buildEvent(clock, caller, 'app.oauth2.as.token.revoke', { targets: [userTarget(user)] }));
    return tokens.length;
  }

  /** The clients a user has granted access to. */
  async function clients(caller: Caller, idOrLogin: string) {
    const ids = [...new Set((await list(caller, idOrLogin)).map((g) => g.clientId))];
    const scoped = store.forOrg(caller.org.id);
    const out = [];
    for (const clientId of ids) {
      const app = await scoped.apps.findByClientId(clientId);
      if (app) out.push({ clientId, app });
    }
    return out;
  }

  return { list, revokeAll, revokeOne, revokeRefreshTokens, clients };
}

export type GrantService = ReturnType<typeof createGrantService>;
