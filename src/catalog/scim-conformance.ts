/**
 * The SCIM conformance run for an integration that declares provisioning: the requests Okta's
 * SCIM test suites make, against the vendor's test SCIM endpoint, each judged and reported on one
 * line — list, a filter that finds nothing, create, fetch, filter by userName, update (PATCH or
 * PUT, as the manifest's compatibility profile says), deactivate, a duplicate create that must
 * conflict, paging, and an unknown id. The requests are the shape Lanyard's provisioning sends.
 */
import { randomBytes } from 'node:crypto';
import type { OutboundHttp, OutboundResponse } from '../kernel/outbound-http.ts';
import type { Manifest } from './manifest.ts';

export interface ScimCredentials {
  readonly token?: string | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
}

export interface ScimConformanceResult {
  readonly passed: boolean;
  readonly detail: string;
  readonly steps: readonly string[];
}

const userSchema = 'urn:ietf:params:scim:schemas:core:2.0:User';
const listSchema = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const patchSchema = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

type Json = Record<string, any>;

export async function runScimConformance(input: {
  http: OutboundHttp; baseUrl: string; manifest: Manifest; credentials: ScimCredentials;
}): Promise<ScimConformanceResult> {
  const scim = input.manifest.provisioning!.scim;
  const base = input.baseUrl.replace(/\/+$/, '');
  const steps: string[] = [];
  const failures: string[] = [];
  const authorization = scim.authScheme === 'basic'
    ? `Basic ${Buffer.from(`${input.credentials.username ?? ''}:${input.credentials.password ?? ''}`).toString('base64')}`
    : `Bearer ${input.credentials.token ?? ''}`;

  async function call(method: string, path: string, body?: unknown): Promise<{ response: OutboundResponse | undefined; json: Json | undefined; error?: string }> {
    try {
      const response = await input.http(`${base}${path}`, {
        method,
        headers: { authorization, accept: 'application/scim+json', ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      let json: Json | undefined;
      try {
        json = response.body ? JSON.parse(response.body) as Json : undefined;
      } catch {
        json = undefined;
      }
      return { response, json };
    } catch (error) {
      return { response: undefined, json: undefined, error: (error as Error).message };
    }
  }

  /** Runs one request and judges it; the line says what was asked, what came back, and why it fails. */
  async function step(name: string, method: string, path: string, body: unknown, judge: (status: number, json: Json | undefined) => string | undefined) {
    const { response, json, error } = await call(method, path, body);
    const status = response?.status ?? 0;
    const problem = error ?? judge(status, json);
    steps.push(`${problem ? 'FAIL' : 'PASS'} ${name}: ${method} ${path.split('?')[0]} → ${status || 'no answer'}${problem ? ` (${problem})` : ''}`);
    if (problem) failures.push(`${name}: ${problem}`);
    return { status, json, ok: !problem };
  }

  const isList = (json: Json | undefined) => Array.isArray(json?.schemas) && json!.schemas.includes(listSchema) && typeof json!.totalResults === 'number';
  const suffix = randomBytes(6).toString('hex');
  const userName = `lanyard.check.${suffix}@example.com`;
  const filter = (value: string) => `/Users?filter=${encodeURIComponent(`userName eq "${value}"`)}`;

  await step('list users', 'GET', '/Users?count=1&startIndex=1', undefined,
    (status, json) => (status !== 200 ? 'expected 200' : isList(json) ? undefined : 'expected a ListResponse with totalResults'));
  await step('filter finds nothing', 'GET', filter(`nobody.${suffix}@example.com`), undefined,
    (status, json) => (status !== 200 ? 'expected 200' : !isList(json) ? 'expected a ListResponse' : json!.totalResults !== 0 ? `expected totalResults 0, got ${json!.totalResults}` : undefined));
  const user = {
    schemas: [userSchema], userName, active: true, displayName: 'Lanyard Check',
    name: { givenName: 'Lanyard', familyName: 'Check' },
    emails: [{ primary: true, value: userName, type: 'work' }],
  };
  const created = await step('create a user', 'POST', '/Users', user, (status, json) => (status !== 201 ? 'expected 201 Created'
    : typeof json?.id !== 'string' ? 'expected the new user\'s id' : json.userName !== userName ? 'expected the userName sent' : undefined));
  const id = created.ok ? String(created.json!.id) : undefined;
  if (id) {
    const at = `/Users/${encodeURIComponent(id)}`;
    await step('fetch the user', 'GET', at, undefined,
      (status, json) => (status !== 200 ? 'expected 200' : json?.id !== id || json?.userName !== userName ? 'expected the same id and userName' : undefined));
    await step('filter by userName', 'GET', filter(userName), undefined, (status, json) => (status !== 200 ? 'expected 200'
      : !isList(json) || json!.totalResults !== 1 || json!.Resources?.[0]?.id !== id ? 'expected exactly the new user' : undefined));
    const compatibility = scim.compatibility;
    if (compatibility.updateMethod === 'PUT') {
      await step('update the user (PUT)', 'PUT', at, { ...user, id, name: { givenName: 'Updated', familyName: 'Check' } },
        (status, json) => (status !== 200 ? 'expected 200' : json?.name?.givenName !== 'Updated' ? 'expected name.givenName Updated' : undefined));
    } else {
      const operation = compatibility.patchNeedsPath ? { op: 'replace', path: 'name.givenName', value: 'Updated' } : { op: 'replace', value: { name: { givenName: 'Updated' } } };
      await step('update the user (PATCH)', 'PATCH', at, { schemas: [patchSchema], Operations: [operation] },
        (status, json) => (status !== 200 && status !== 204 ? 'expected 200 or 204' : status === 200 && json?.name?.givenName !== 'Updated' ? 'expected name.givenName Updated' : undefined));
    }
    if (compatibility.deprovision === 'delete') {
      await step('remove the user (DELETE)', 'DELETE', at, undefined, (status) => (status !== 204 ? 'expected 204' : undefined));
    } else {
      const operation = compatibility.patchNeedsPath ? { op: 'replace', path: 'active', value: false } : { op: 'replace', value: { active: false } };
      await step('deactivate the user', 'PATCH', at, { schemas: [patchSchema], Operations: [operation] },
        (status, json) => (status !== 200 && status !== 204 ? 'expected 200 or 204' : status === 200 && json?.active !== false ? 'expected active false' : undefined));
    }
    await step('create the same userName again', 'POST', '/Users', user, (status) => (status !== 409 ? 'expected 409 Conflict (uniqueness)' : undefined));
  }
  await step('page through users', 'GET', '/Users?startIndex=1&count=1', undefined, (status, json) => (status !== 200 ? 'expected 200'
    : !isList(json) ? 'expected a ListResponse' : (json!.Resources?.length ?? 0) > 1 ? 'expected at most 1 resource for count=1' : undefined));
  await step('fetch an unknown id', 'GET', `/Users/lanyard-missing-${suffix}`, undefined, (status) => (status !== 404 ? 'expected 404' : undefined));

  return {
    passed: failures.length === 0,
    detail: failures.length === 0 ? `${steps.length} SCIM requests behaved as Okta's tests expect` : failures.join('; '),
    steps,
  };
}
