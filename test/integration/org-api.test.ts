/**
 * `/api/v1/org`: the org as Okta shows it, and Okta's partial update of it (`POST`), which changes
 * the company name people see and nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';

let t: TestLanyard;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  t = await startLanyard();
  call = api(t);
});
afterAll(async () => t?.close());

describe('the org', () => {
  it('changes the company name with POST /api/v1/org and shows it on GET', async () => {
    const before = (await call('/api/v1/org')).json;
    const changed = await call('/api/v1/org', { method: 'POST', json: { companyName: '  Initech Holdings ' } });
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({ id: before.id, subdomain: before.subdomain, companyName: 'Initech Holdings', status: 'ACTIVE' });
    expect((await call('/api/v1/org')).json.companyName).toBe('Initech Holdings');
    const logged = await call('/api/v1/logs?filter=eventType%20eq%20%22system.org.settings.update%22');
    expect(logged.json.some((e: { target: { displayName: string }[] }) => e.target[0]?.displayName === 'Initech Holdings')).toBe(true);
  });

  it('refuses an empty name and fields Lanyard does not keep, in Okta\'s error shape', async () => {
    const empty = await call('/api/v1/org', { method: 'POST', json: { companyName: '   ' } });
    expect(empty.status).toBe(400);
    expect(empty.json.errorCode).toBe('E0000001');
    expect(empty.json.errorCauses[0].errorSummary).toMatch(/^companyName: /);
    const unknown = await call('/api/v1/org', { method: 'POST', json: { website: 'https://example.com' } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.errorCode).toBe('E0000001');
    expect((await call('/api/v1/org')).json.companyName).toBe('Initech Holdings');
  });
});
