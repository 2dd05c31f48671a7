/** An API token on the wire: everything but the secret (Okta's link field is `_link`, singular). */
import type { ApiTokenRecord } from '../../services/ports.ts';

export function apiTokenJson(token: ApiTokenRecord, orgUrl: string): Record<string, unknown> {
  return {
    id: token.id,
    name: token.name,
    userId: token.userId,
    clientName: token.clientName,
    created: token.created,
    lastUpdated: token.lastUpdated,
    expiresAt: token.expiresAt,
    tokenWindow: 'P30D',
    network: { connection: 'ANYWHERE' },
    _link: { self: { href: `${orgUrl}/api/v1/api-tokens/${token.id}` } },
  };
}
