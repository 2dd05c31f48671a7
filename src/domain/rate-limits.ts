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
  'api.other': { limit: 1200, describe: 'every other /api/v1 endpoint' },
} as const;

export type RateLimitBucket = keyof typeof rateLimitBuckets;

/** The bucket a request counts against. */
export function bucketOf(method: string, path: string): RateLimitBucket {
  const p = path.replace(/\/+$/, '');
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
