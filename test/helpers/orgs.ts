/** A second org with its own super-admin and API token, made through the services as `lanyard org create` does. */
import type { TestLanyard } from './lanyard.ts';
import { systemCaller } from '../../src/services/bootstrap.ts';
import type { Org } from '../../src/domain/org.ts';

export interface TestOrg {
  readonly org: Org;
  readonly token: string;
  readonly adminId: string;
}

export async function createOrgWithAdmin(t: TestLanyard, name: string, customDomain?: string): Promise<TestOrg> {
  const { services, store } = t.lanyard;
  const org = await services.orgs.create({ name, customDomain });
  const caller = systemCaller(org);
  const admin = await services.users.create(caller, {
    profile: { login: `admin@${name}.example.com`, email: `admin@${name}.example.com`, firstName: 'Org', lastName: 'Admin' },
    credentials: { password: { value: 'Correct-Horse-Battery-9' } },
  }, { activate: true });
  await store.forOrg(org.id).users.addRole(admin.id, 'SUPER_ADMIN', new Date().toISOString());
  const { token } = await services.tokens.create(caller, { name: 'test', userId: admin.id });
  return { org, token, adminId: admin.id };
}
