/** The use cases behind the API and the pages, built over one set of dependencies. */
import type { ServiceDeps } from './deps.ts';
import { createOrgService } from './orgs.ts';
import { createUserService } from './users.ts';
import { createCredentialService } from './user-credentials.ts';
import { createLifecycleService } from './user-lifecycle.ts';
import { createGroupService } from './groups.ts';
import { createApiTokenService } from './api-tokens.ts';
import { createSystemLogQuery } from './system-log-query.ts';
import { createSignIn } from '../signin/sign-in.ts';
import { createSessions } from '../signin/sessions.ts';

export function createServices(deps: ServiceDeps) {
  const credentials = createCredentialService(deps);
  const lifecycle = createLifecycleService(deps, credentials);
  return {
    orgs: createOrgService(deps),
    users: createUserService(deps, lifecycle),
    credentials,
    lifecycle,
    groups: createGroupService(deps),
    tokens: createApiTokenService(deps),
    logs: { query: createSystemLogQuery(deps) },
    signIn: createSignIn(deps),
    sessions: createSessions(deps),
  };
}

export type Services = ReturnType<typeof createServices>;
