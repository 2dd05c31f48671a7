/** Okta's Session object (`/api/v1/sessions`). */
import type { ActiveSession } from '../../signin/sessions.ts';

export function sessionJson(active: ActiveSession, orgId: string, orgUrl: string, self: 'me' | 'id' = 'id'): Record<string, unknown> {
  const { session, user } = active;
  const id = self === 'me' ? 'me' : session.id;
  return {
    id: session.id,
    userId: user.id,
    login: user.profile.login,
    createdAt: session.created,
    expiresAt: session.idleExpiresAt < session.expiresAt ? session.idleExpiresAt : session.expiresAt,
    status: 'ACTIVE',
    lastPasswordVerification: session.created,
    lastFactorVerification: null,
    amr: session.amr,
    idp: { id: orgId, type: 'OKTA' },
    mfaActive: false,
    _links: {
      self: { href: `${orgUrl}/api/v1/sessions/${id}`, hints: { allow: ['GET', 'DELETE'] } },
      refresh: { href: `${orgUrl}/api/v1/sessions/${id}/lifecycle/refresh`, hints: { allow: ['POST'] } },
      user: { name: `${user.profile.firstName} ${user.profile.lastName}`, href: `${orgUrl}/api/v1/users/${self === 'me' ? 'me' : user.id}`, hints: { allow: ['GET'] } },
    },
  };
}
