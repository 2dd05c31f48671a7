/** A group on the wire, as Okta shows one. */
import type { Group } from '../../domain/group.ts';

export function groupJson(group: Group, orgUrl: string): Record<string, unknown> {
  const self = `${orgUrl}/api/v1/groups/${group.id}`;
  return {
    id: group.id,
    created: group.created,
    lastUpdated: group.lastUpdated,
    lastMembershipUpdated: group.lastMembershipUpdated,
    objectClass: ['okta:user_group'],
    type: group.type,
    profile: { ...group.profile, name: group.name, description: group.description },
    _links: {
      users: { href: `${self}/users` },
      apps: { href: `${self}/apps` },
      self: { href: self },
    },
  };
}
