/**
 * Okta's API rate-limit buckets: requests per minute per org, per endpoint group. Defaults follow
 * the limits Okta documents for a Workforce Identity org; an org's settings may override any bucket.
 */
export const rateLimitBuckets = {
  'api.users.collection': { limit: 600, describe: 'GET/POST /api/v1/users' },
  'api.users.get': { limit: 2000, describe: 'GET /api/v1/users/{id}' },
  'api.users.item': { limit: 600, describe: 'POST/PUT/DELETE /api/v1/users/{id}' },
  'api.groups.collection': { limit: 500, describe: 'GET/POST /api/v1/groups' },
  'api.groups.item': { limit: 1000, describe: '/api/v1/groups/{id}' },
  'api.logs': { limit: 120, describe: '/api/v1/logs' },
  'api.authn': { limit: 500, describe: '/api/v1/authn' },
  'api.other': { limit: 1200, describe: 'every other /api/v1 endpoint' },
  'oauth2.clients': { limit: 100, describe: '/oauth2/v1/clients' },
  'oauth2.org': { limit: 2000, describe: '/oauth2/v1 (the org authorization server)' },
  'oauth2.custom': { limit: 2000, describe: '/oauth2/{authServerId}/v1 (custom authorization servers)' },
} as const;

export type RateLimitBucket = keyof typeof rateLimitBuckets;

/** Public metadata (keys, discovery) is not rate-limited, as at Okta. */
const unlimited = /^\/(\.well-known\/|oauth2\/[^/]+\/\.well-known\/|oauth2\/(v1|[^/]+\/v1)\/keys$|api\/v1\/openapi\.json$)/;

/** The bucket a request counts against; undefined for paths without a limit. */
export function bucketOf(method: string, path: string): RateLimitBucket | undefined {
  const p = path.replace(/\/+$/, '');
  if (unlimited.test(p)) return undefined;
  if (p === '/oauth2/v1/clients' || p.startsWith('/oauth2/v1/clients/')) return 'oauth2.clients';
  if (p.startsWith('/oauth2/v1/')) return 'oauth2.org';
  if (/^\/oauth2\/[^/]+\/v1\//.test(p)) return 'oauth2.custom';
  if (!p.startsWith('/api/v1/')) return undefined;
  if (p === '/api/v1/authn' || p.startsWith('/api/v1/authn/')) return 'api.authn';
  if (p === '/api/v1/users') return 'api.users.collection';
  if (/^\/api\/v1\/users\/[^/]+$/.test(p)) return method === 'GET' ? 'api.users.get' : 'api.users.item';
  if (p.startsWith('/api/v1/users/')) return 'api.users.item';
  if (p === '/api/v1/groups') return 'api.groups.collection';
  if (p.startsWith('/api/v1/groups/')) return 'api.groups.item';
  if (p === '/api/v1/logs') return 'api.logs';
  return 'api.other';
}

export function limitOf(bucket: RateLimitBucket, overrides: Readonly<Record<string, number>>): number {
  return overrides[bucket] ?? rateLimitBuckets[bucket].limit;
}
