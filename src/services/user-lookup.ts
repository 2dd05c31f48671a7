/** Finding a user the way Okta's paths name one: by id, or by login. */
import { notFound } from '../kernel/errors.ts';
import { looksLikeId } from '../kernel/ids.ts';
import type { UserWithSecrets } from '../domain/user.ts';
import type { OrgStore } from './ports.ts';

/** Finds a user by id or login (Okta accepts either in the path). */
export async function findUser(org: OrgStore, idOrLogin: string): Promise<UserWithSecrets | undefined> {
  if (looksLikeId(idOrLogin)) {
    const byId = await org.users.findById(idOrLogin);
    if (byId) return byId;
  }
  return idOrLogin.includes('@') ? org.users.findByLogin(idOrLogin) : undefined;
}

export async function requireUser(org: OrgStore, idOrLogin: string): Promise<UserWithSecrets> {
  const user = await findUser(org, idOrLogin);
  if (!user) throw notFound('User', idOrLogin);
  return user;
}

