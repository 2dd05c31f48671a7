/**
 * Trusted origins (`/api/v1/trustedOrigins`): the web origins allowed to call the org from a
 * browser (CORS: the authn and sessions APIs) or to be sent back to after a sign-in (REDIRECT).
 */
import { z } from 'zod';
import { notFound, validationError } from '../kernel/errors.ts';
import { randomBase62 } from '../kernel/ids.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import { UniqueViolation, type TrustedOriginRecord } from './ports.ts';
import { parseOrThrow } from './validation.ts';

const originSchema = z.string().trim().max(1024).refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
}, 'must be an origin: a scheme, a host and an optional port, such as https://app.example.com');

export const trustedOriginInputSchema = z.object({
  name: z.string().trim().min(1).max(255),
  origin: originSchema,
  scopes: z.array(z.object({ type: z.enum(['CORS', 'REDIRECT']) }).loose()).min(1),
});

export function createTrustedOriginService(deps: ServiceDeps) {
  const { store, clock } = deps;

  async function requireOrigin(caller: Caller, id: string): Promise<TrustedOriginRecord> {
    const found = await store.forOrg(caller.org.id).trustedOrigins.findById(id);
    if (!found) throw notFound('TrustedOrigin', id);
    return found;
  }

  async function save(caller: Caller, input: unknown, id?: string): Promise<TrustedOriginRecord> {
    const parsed = parseOrThrow(trustedOriginInputSchema, input);
    const existing = id ? await requireOrigin(caller, id) : undefined;
    const now = clock.now().toISOString();
    const record: TrustedOriginRecord = {
      id: existing?.id ?? `tos${randomBase62(17)}`, name: parsed.name, origin: new URL(parsed.origin).origin,
      scopes: [...new Set(parsed.scopes.map((s) => s.type))], status: existing?.status ?? 'ACTIVE',
      created: existing?.created ?? now, createdBy: existing?.createdBy ?? caller.actor.id, lastUpdated: now, lastUpdatedBy: caller.actor.id,
    };
    try {
      await (existing ? store.forOrg(caller.org.id).trustedOrigins.update(record) : store.forOrg(caller.org.id).trustedOrigins.insert(record));
    } catch (error) {
      if (error instanceof UniqueViolation) throw validationError(['origin: An object with this field already exists in the current organization'], 'origin');
      throw error;
    }
    return record;
  }

  async function setStatus(caller: Caller, id: string, status: TrustedOriginRecord['status']): Promise<TrustedOriginRecord> {
    const existing = await requireOrigin(caller, id);
    const record = { ...existing, status, lastUpdated: clock.now().toISOString(), lastUpdatedBy: caller.actor.id };
    await store.forOrg(caller.org.id).trustedOrigins.update(record);
    return record;
  }

  /** Whether `origin` is an active trusted origin of the org with `scope`. */
  async function isTrusted(orgId: string, origin: string, scope: 'CORS' | 'REDIRECT'): Promise<boolean> {
    const found = await store.forOrg(orgId).trustedOrigins.findByOrigin(origin);
    return Boolean(found && found.status === 'ACTIVE' && found.scopes.includes(scope));
  }

  return {
    save, setStatus, isTrusted, get: requireOrigin,
    list: (caller: Caller) => store.forOrg(caller.org.id).trustedOrigins.list(),
    remove: async (caller: Caller, id: string) => {
      if (!(await store.forOrg(caller.org.id).trustedOrigins.delete(id))) throw notFound('TrustedOrigin', id);
    },
  };
}

export type TrustedOriginService = ReturnType<typeof createTrustedOriginService>;
