/**
 * First start of an empty store: the first org (answering on the base URL), its first
 * super-admin and first API token. Values come from LANYARD_ADMIN_*; whatever is generated is
 * returned so it can be printed once.
 */
import type { Org } from '../domain/org.ts';
import type { Caller } from './caller.ts';
import { noClient, systemActor } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import { UniqueViolation } from './ports.ts';
import { createServices } from './index.ts';
import { generatePassword } from './user-credentials.ts';

export interface BootstrapInput {
  readonly email: string | undefined;
  readonly password: string | undefined;
  readonly token: string | undefined;
}

export type BootstrapResult =
  | { readonly created: false }
  | { readonly created: true; readonly org: Org; readonly email: string; readonly generatedPassword?: string; readonly generatedToken?: string };

export const defaultAdminEmail = 'admin@example.com';

export function systemCaller(org: Org): Caller {
  return { org, actor: systemActor, client: noClient, requestId: 'bootstrap', requestUri: null };
}

/** Runs in one transaction: a failure (say, a weak LANYARD_ADMIN_PASSWORD) leaves the store empty. */
export async function bootstrap(deps: ServiceDeps, input: BootstrapInput): Promise<BootstrapResult> {
  try {
    return await deps.store.transaction(async (tx) => {
      if ((await tx.orgs.list()).length > 0) return { created: false } as const;
      const services = createServices({ ...deps, store: tx });
      const org = await services.orgs.create({ name: 'default', displayName: 'Lanyard' }, { isDefault: true });
      const caller = systemCaller(org);
      const email = input.email ?? defaultAdminEmail;
      const password = input.password ?? generatePassword();
      const admin = await services.users.create(caller, {
        profile: { login: email, email, firstName: 'Lanyard', lastName: 'Administrator' },
        credentials: { password: { value: password } },
      }, { activate: true });
      await tx.forOrg(org.id).users.addRole(admin.id, 'SUPER_ADMIN', deps.clock.now().toISOString());
      // The operator's first administrator also reviews submissions to the integration network.
      await tx.forOrg(org.id).users.addRole(admin.id, 'NETWORK_REVIEWER', deps.clock.now().toISOString());
      const { token } = await services.tokens.create(caller, { name: 'bootstrap', userId: admin.id, token: input.token });
      return {
        created: true,
        org,
        email,
        ...(input.password ? {} : { generatedPassword: password }),
        ...(input.token ? {} : { generatedToken: token }),
      } as const;
    });
  } catch (error) {
    // Another node bootstrapped the same empty PostgreSQL store first.
    if (error instanceof UniqueViolation && error.field === 'name') return { created: false };
    throw error;
  }
}
