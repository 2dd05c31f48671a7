/**
 * The console's only way to the server: Lanyard's public `/api/v1`, with the admin's access token.
 * Errors arrive in Okta's shape and become {@link ApiError}s the pages show as they are.
 */
import { currentTokens, signIn } from './auth.ts';

export class ApiError extends Error {
  constructor(readonly status: number, readonly errorCode: string, readonly summary: string, readonly causes: readonly string[]) {
    super(summary);
    this.name = 'ApiError';
  }
}

export interface ApiResponse<T> {
  readonly data: T;
  readonly status: number;
  /** The URL (path and query) of the next page, from the `Link` header. */
  readonly next?: string;
}

function nextLink(header: string | null): string | undefined {
  for (const part of (header ?? '').split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match) {
      const url = new URL(match[1]!, window.location.origin);
      return url.pathname + url.search;
    }
  }
  return undefined;
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
  const tokens = currentTokens();
  if (!tokens) return signIn();
  const response = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${tokens.accessToken}`,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (response.status === 401) return signIn();
  const text = await response.text();
  const parsed = text ? safeJson(text) : undefined;
  if (!response.ok) {
    const error = (parsed ?? {}) as { errorCode?: string; errorSummary?: string; errorCauses?: { errorSummary?: string }[] };
    throw new ApiError(response.status, error.errorCode ?? String(response.status), error.errorSummary ?? `The server answered ${response.status}.`,
      (error.errorCauses ?? []).map((c) => c.errorSummary ?? '').filter(Boolean));
  }
  const next = nextLink(response.headers.get('link'));
  return { data: parsed as T, status: response.status, ...(next ? { next } : {}) };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path).then((r) => r.data),
  page: <T>(path: string) => request<T[]>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}).then((r) => r.data),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body).then((r) => r.data),
  delete: (path: string) => request<unknown>('DELETE', path).then(() => undefined),
};

/** `encodeURIComponent` for each interpolated value: `path\`/api/v1/users/${id}\``. */
export function path(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(String(values[i])) : ''), '');
}
