/**
 * Policies at work: a group's password policy refuses a password the org's own policy allows,
 * the default password policy shows and edits the org's settings, and the sign-on decision is
 * read from stored policies, rules and zones (through the running Lanyard's services).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startLanyard, type TestLanyard } from '../../helpers/lanyard.ts';

let t: TestLanyard;
let call: ReturnType<typeof api>;
let adminsId: string;

const causes = (json: any) => (json.errorCauses as { errorSummary: string }[]).map((c) => c.errorSummary);
const newUser = async (login: string, groupIds: string[] = []) => (await call('/api/v1/users?activate=false', {
  method: 'POST', json: { profile: { login, email: login, firstName: 'Pat', lastName: 'Lee' }, groupIds },
})).json.id as string;
const org = async () => (await t.lanyard.store.orgs.findDefault())!;

beforeAll(async () => {
  t = await startLanyard();
  call = api(t);
  adminsId = (await call('/api/v1/groups', { method: 'POST', json: { profile: { name: 'Admins' } } })).json.id;
});
afterAll(async () => t?.close());

describe('password policies by group', () => {
  const weakForAdmins = 'Lantern-Quietly-7';

  it('shows the org\'s settings as the default PASSWORD policy', async () => {
    const policy = (await call('/api/v1/policies?type=PASSWORD')).json[0];
    expect(policy.settings.password).toMatchObject({
      complexity: { minLength: 8, minLowerCase: 1, minUpperCase: 1, minNumber: 1, minSymbol: 0, excludeUsername: true },
      age: { historyCount: 4, maxAgeDays: 0 },
      lockout: { maxAttempts: 10, autoUnlockMinutes: 0, showLockoutFailures: false },
    });
  });

  it('refuses a weak password to a member of a stricter group, and lets others set it', async () => {
    const strict = await call('/api/v1/policies', {
      method: 'POST', json: {
        type: 'PASSWORD', name: 'Admins', conditions: { people: { groups: { include: [adminsId] } } },
        settings: { password: { complexity: { minLength: 20, minSymbol: 1 }, age: { historyCount: 10 } } },
      },
    });
    expect(strict.status).toBe(200);
    expect(strict.json.settings.password.complexity).toMatchObject({ minLength: 20, minSymbol: 1 });
    expect(strict.json.priority).toBe(1);

    const admin = await newUser('ada@example.com', [adminsId]);
    const other = await newUser('otto@example.com');
    const refused = await call(`/api/v1/users/${admin}`, { method: 'POST', json: { credentials: { password: { value: weakForAdmins } } } });
    expect(refused.status).toBe(400);
    expect(causes(refused.json)[0]).toBe('password: Password requirements were not met. Password requirements: at least 20 characters.');
    expect((await call(`/api/v1/users/${other}`, { method: 'POST', json: { credentials: { password: { value: weakForAdmins } } } })).status).toBe(200);
    // A new user created straight into the group meets the group's policy too.
    const created = await call('/api/v1/users?activate=true', {
      method: 'POST', json: { profile: { login: 'alan@example.com', email: 'alan@example.com', firstName: 'Al', lastName: 'An' }, groupIds: [adminsId], credentials: { password: { value: weakForAdmins } } },
    });
    expect(created.status).toBe(400);
    expect((await call(`/api/v1/users/${admin}`, { method: 'POST', json: { credentials: { password: { value: 'Lantern-Quietly-Over-Hills-7' } } } })).status).toBe(200);

    // The activation page lists the requirements of the policy that will judge the password.
    const pending = await newUser('ines@example.com', [adminsId]);
    const { activationUrl } = (await call(`/api/v1/users/${pending}/lifecycle/activate?sendEmail=false`, { method: 'POST' })).json;
    const page = await (await fetch(activationUrl)).text();
    expect(page).toContain('At least 20 characters');
    expect(page).toContain('Not one of your last 10 passwords');

    // Deactivated, the group policy no longer applies.
    expect((await call(`/api/v1/policies/${strict.json.id}/lifecycle/deactivate`, { method: 'POST' })).status).toBe(204);
    expect((await call(`/api/v1/users/${admin}`, { method: 'POST', json: { credentials: { password: { value: weakForAdmins } } } })).status).toBe(200);
    const policy = await t.lanyard.services.signOnPolicy.passwordPolicyFor((await org()).id, admin);
    expect(policy.minLength).toBe(8);
  });

  it('edits the org\'s own settings through the default PASSWORD policy', async () => {
    const policy = (await call('/api/v1/policies?type=PASSWORD')).json.find((p: any) => p.system);
    const replaced = await call(`/api/v1/policies/${policy.id}`, {
      method: 'PUT', json: {
        type: 'PASSWORD', name: 'Default Policy', conditions: policy.conditions,
        settings: { password: { complexity: { minLength: 12, minLowerCase: 1, minUpperCase: 1, minNumber: 1, minSymbol: 1 }, lockout: { maxAttempts: 3, autoUnlockMinutes: 30 } } },
      },
    });
    expect(replaced.status).toBe(200);
    const settings = (await org()).settings;
    expect(settings.passwordPolicy).toMatchObject({ minLength: 12, requireSymbol: true });
    expect(settings.lockout).toMatchObject({ maxAttempts: 3, autoUnlockMinutes: 30 });
    expect((await call(`/api/v1/policies/${policy.id}`)).json.settings.password.complexity.minLength).toBe(12);
    const other = await newUser('nina@example.com');
    expect((await call(`/api/v1/users/${other}`, { method: 'POST', json: { credentials: { password: { value: 'Short-Pass-1' } } } })).status).toBe(200);
    expect((await call(`/api/v1/users/${other}`, { method: 'POST', json: { credentials: { password: { value: 'Shortpass12' } } } })).status).toBe(400);

    const bad = await call(`/api/v1/policies/${policy.id}`, {
      method: 'PUT', json: { type: 'PASSWORD', name: 'Default Policy', settings: { password: { complexity: { minLength: 4 }, age: { maxAgeDays: 90 } } } },
    });
    expect(causes(bad.json)).toEqual(['settings.password.complexity.minLength: must be at least 8', 'settings.password.age.maxAgeDays: must be 0: password expiry is not enforced by this version']);
    expect((await org()).settings.passwordPolicy.minLength).toBe(12);
  });
});

describe('sign-on evaluation from stored policies', () => {
  it('decides by the org policy, zones, blocklists and the app\'s policy', async () => {
    const { services } = t.lanyard;
    const o = await org();
    const user = await newUser('eve@example.com', [adminsId]);
    const evaluate = (ip: string, appId?: string) => services.signOnPolicy.evaluate(o, { userId: user, ip, ...(appId ? { appId } : {}) });

    expect(await evaluate('198.51.100.7')).toMatchObject({ access: 'ALLOW', factorMode: '1FA', reauthenticateSeconds: null, matched: [{ policyName: 'Default Policy', ruleName: 'Default Rule' }] });

    const office = (await call('/api/v1/zones', { method: 'POST', json: { type: 'IP', name: 'Office', gateways: [{ type: 'CIDR', value: '10.0.0.0/8' }] } })).json;
    const admins = (await call('/api/v1/policies', { method: 'POST', json: { type: 'OKTA_SIGN_ON', name: 'Admins', conditions: { people: { groups: { include: [adminsId] } } } } })).json;
    await call(`/api/v1/policies/${admins.id}/rules`, { method: 'POST', json: { name: 'Office: one factor', conditions: { network: { connection: 'ZONE', include: [office.id] } }, actions: { signon: { access: 'ALLOW' } } } });
    await call(`/api/v1/policies/${admins.id}/rules`, { method: 'POST', json: { name: 'Elsewhere: MFA', actions: { signon: { access: 'ALLOW', requireFactor: true, factorPromptMode: 'SESSION', factorLifetime: 30 } } } });

    expect(await evaluate('10.20.30.40')).toMatchObject({ factorMode: '1FA', matched: [{ policyName: 'Admins', ruleName: 'Office: one factor' }] });
    expect(await evaluate('198.51.100.7')).toMatchObject({ factorMode: '2FA', reauthenticateSeconds: 1800, matched: [{ ruleName: 'Elsewhere: MFA' }] });
    await call(`/api/v1/zones/${office.id}/lifecycle/deactivate`, { method: 'POST' });
    expect((await evaluate('10.20.30.40')).matched[0]!.ruleName).toBe('Elsewhere: MFA');

    const blocked = (await call('/api/v1/zones?filter=usage%20eq%20%22BLOCKLIST%22')).json[0];
    await call(`/api/v1/zones/${blocked.id}`, { method: 'PUT', json: { type: 'IP', name: 'BlockedIpZone', usage: 'BLOCKLIST', gateways: [{ type: 'RANGE', value: '203.0.113.0-203.0.113.255' }] } });
    expect(await evaluate('203.0.113.9')).toMatchObject({ access: 'DENY', denyReason: 'BLOCKLIST_ZONE' });

    const app = (await call('/api/v1/apps', { method: 'POST', json: { name: 'bookmark', label: 'Payroll', signOnMode: 'BOOKMARK', settings: { app: { url: 'https://payroll.example.com' } } } })).json;
    expect(await evaluate('198.51.100.7', app.id)).toMatchObject({ access: 'ALLOW', factorMode: '2FA', reauthenticateSeconds: 1800 });
    const strict = (await call('/api/v1/policies', { method: 'POST', json: { type: 'ACCESS_POLICY', name: 'Payroll' } })).json;
    await call(`/api/v1/policies/${strict.id}/rules`, { method: 'POST', json: { name: 'Admins every 10 minutes', conditions: { people: { groups: { include: [adminsId] } } }, actions: { appSignOn: { access: 'ALLOW', verificationMethod: { type: 'ASSURANCE', factorMode: '2FA', reauthenticateIn: 'PT10M' } } } } });
    await call(`/api/v1/policies/${strict.id}/rules`, { method: 'POST', json: { name: 'Nobody else', actions: { appSignOn: { access: 'DENY' } } } });
    expect((await call(`/api/v1/apps/${app.id}/policies/${strict.id}`, { method: 'PUT' })).status).toBe(204);
    const decision = await evaluate('198.51.100.7', app.id);
    expect(decision).toMatchObject({ access: 'ALLOW', factorMode: '2FA', reauthenticateSeconds: 600 });
    expect(decision.matched.map((m) => m.ruleName)).toEqual(['Elsewhere: MFA', 'Admins every 10 minutes']);
    const outsider = await newUser('olga@example.com');
    expect(await services.signOnPolicy.evaluate(o, { userId: outsider, ip: '198.51.100.7', appId: app.id })).toMatchObject({
      access: 'DENY', denyReason: 'POLICY_RULE', matched: [{ ruleName: 'Default Rule' }, { ruleName: 'Nobody else' }],
    });
  });
});
