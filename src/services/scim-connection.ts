/**
 * One SCIM request to an app, as the provisioning engine and "test connection" make it: the
 * connection's authentication (a token, basic, or an OAuth 2 client-credentials token kept until
 * it expires), the SSRF-guarded outbound client, a per-app rate limit, and a record of the
 * request and its answer for the app's admin — with tokens, passwords and secrets removed.
 * Failures come back classified: try again later (5xx, network), wait as told (429), or give up (4xx).
 */
import type { ConnectionProfile } from '../domain/provisioning.ts';
import { uuidV7 } from '../kernel/ids.ts';
import type { OutboundHttp } from '../kernel/outbound-http.ts';
import { retryAfterMs, type ScimJson } from '../protocols/scim/client.ts';
import type { OrgStore } from './ports.ts';

export type ScimFailureKind = 'retry' | 'rate' | 'permanent';

export class ScimCallError extends Error {
  readonly kind: ScimFailureKind;
  readonly status: number;
  readonly retryAfterMs: number | undefined;
  constructor(kind: ScimFailureKind, status: number, message: string, retryAfter?: number) {
    super(message);
    this.kind = kind;
    this.status = status;
    this.retryAfterMs = retryAfter;
  }
}

export interface ScimAnswer {
  readonly status: number;
  readonly json: ScimJson | undefined;
}

const secretKeys = /^(password|token|secret|client_secret|access_token|refresh_token)$/i;

/** A body as the request log keeps it: secrets replaced, long text cut. */
export function redactBody(text: string | undefined): string | null {
  if (!text) return null;
  let shown = text;
  try {
    shown = JSON.stringify(JSON.parse(text), (key, value: unknown) => (secretKeys.test(key) && typeof value === 'string' ? '********' : value));
  } catch {
    shown = text.replace(/("?(password|token|secret)"?\s*[:=]\s*)"[^"]*"/gi, '$1"********"');
  }
  return shown.length > 8192 ? `${shown.slice(0, 8192)}…` : shown;
}

interface CachedToken {
  readonly value: string;
  readonly expiresAt: number;
}

/** Requests per second per app, shared by this node's workers. */
class RateLimiter {
  private readonly next = new Map<string, number>();

  async wait(appId: string, perSecond: number): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, this.next.get(appId) ?? 0);
    this.next.set(appId, slot + 1000 / perSecond);
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
  }
}

export interface ScimTarget {
  readonly orgId: string;
  readonly appId: string;
  readonly baseUrl: string;
  readonly profile: ConnectionProfile;
  readonly requestsPerSecond: number;
}

export function createScimConnections(http: OutboundHttp) {
  const tokens = new Map<string, CachedToken>();
  const limiter = new RateLimiter();

  async function authorization(target: ScimTarget): Promise<string> {
    const profile = target.profile;
    if (profile.authScheme === 'TOKEN') return `Bearer ${profile.token}`;
    if (profile.authScheme === 'BASIC') return `Basic ${Buffer.from(`${profile.username}:${profile.password}`).toString('base64')}`;
    const cached = tokens.get(target.appId);
    if (cached && cached.expiresAt > Date.now()) return `Bearer ${cached.value}`;
    const form = new URLSearchParams({ grant_type: 'client_credentials', ...(profile.scope ? { scope: profile.scope } : {}) });
    let answer;
    try {
      answer = await http(profile.tokenUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded', accept: 'application/json',
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(profile.clientId)}:${encodeURIComponent(profile.clientSecret)}`).toString('base64')}`,
        },
        body: form.toString(),
      });
    } catch (error) {
      throw new ScimCallError('retry', 0, `the token endpoint could not be reached: ${(error as Error).message}`);
    }
    let json: { access_token?: unknown; expires_in?: unknown } = {};
    try {
      json = JSON.parse(answer.body) as typeof json;
    } catch { /* judged below */ }
    if (answer.status !== 200 || typeof json.access_token !== 'string') {
      throw new ScimCallError(answer.status >= 500 ? 'retry' : 'permanent', answer.status, `the token endpoint refused the client credentials (${answer.status})`);
    }
    const lifetime = typeof json.expires_in === 'number' ? json.expires_in : 300;
    tokens.set(target.appId, { value: json.access_token, expiresAt: Date.now() + Math.max(0, lifetime - 30) * 1000 });
    return `Bearer ${json.access_token}`;
  }

  /** Forgets a cached OAuth token (after a 401, or when the connection changes). */
  function forget(appId: string): void {
    tokens.delete(appId);
  }

  /**
   * Makes one request and records it; `accept` lists statuses that are answers rather than
   * failures (404 when looking an account up, 409 on a create that may have happened).
   */
  async function call(org: OrgStore, target: ScimTarget, taskId: string | null, method: string, path: string, body?: unknown,
    accept: readonly number[] = []): Promise<ScimAnswer> {
    await limiter.wait(target.appId, target.requestsPerSecond);
    const text = body === undefined ? undefined : JSON.stringify(body);
    const started = Date.now();
    let status = 0;
    let responseText: string | undefined;
    let retryAfter: number | undefined;
    let failure: string | undefined;
    try {
      const answer = await http(`${target.baseUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers: {
          authorization: await authorization(target), accept: 'application/scim+json, application/json',
          ...(text !== undefined ? { 'content-type': 'application/scim+json' } : {}),
        },
        ...(text !== undefined ? { body: text } : {}),
      });
      status = answer.status;
      responseText = answer.body;
      retryAfter = retryAfterMs(answer.headers['retry-after'], new Date());
    } catch (error) {
      if (error instanceof ScimCallError) throw error;
      failure = (error as Error).message || 'the connection failed';
    }
    await org.provisioning.recordRequest({
      id: uuidV7(started), appId: target.appId, taskId, at: new Date(started).toISOString(), method, path,
      requestBody: redactBody(text), status, responseBody: failure ? `(${failure})` : redactBody(responseText), durationMs: Date.now() - started,
    }).catch(() => { /* the record must never fail the request */ });
    if (failure) throw new ScimCallError('retry', 0, `${method} ${path.split('?')[0]}: ${failure}`);
    let json: ScimJson | undefined;
    try {
      json = responseText ? JSON.parse(responseText) as ScimJson : undefined;
    } catch {
      json = undefined;
    }
    if ((status >= 200 && status < 300) || accept.includes(status)) return { status, json };
    const detail = typeof json?.detail === 'string' ? `: ${json.detail.slice(0, 200)}` : '';
    const message = `${method} ${path.split('?')[0]} answered ${status}${detail}`;
    if (status === 429) throw new ScimCallError('rate', status, message, retryAfter);
    if (status === 401) forget(target.appId);
    if (status >= 500 || status === 408) throw new ScimCallError('retry', status, message, retryAfter);
    throw new ScimCallError('permanent', status, message);
  }

  return { call, forget };
}

export type ScimConnections = ReturnType<typeof createScimConnections>;
