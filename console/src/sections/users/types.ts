/** The shapes of Okta's Users, Groups, Factors and Roles APIs that the people and group pages read. */
export interface Link { readonly href: string; readonly method?: string }

export interface UserProfile {
  readonly login: string;
  readonly email: string;
  readonly firstName?: string | null;
  readonly lastName?: string | null;
  readonly [attribute: string]: unknown;
}

export interface User {
  readonly id: string;
  readonly status: string;
  readonly created: string;
  readonly activated: string | null;
  readonly statusChanged: string | null;
  readonly lastLogin: string | null;
  readonly lastUpdated: string;
  readonly passwordChanged: string | null;
  readonly profile: UserProfile;
  readonly _links?: Readonly<Record<string, Link>>;
}

export interface Group {
  readonly id: string;
  readonly type: string;
  readonly created?: string;
  readonly lastMembershipUpdated?: string;
  readonly profile: { readonly name: string; readonly description?: string | null };
}

export interface Factor {
  readonly id: string;
  readonly factorType: string;
  readonly provider: string;
  readonly status: string;
  readonly created?: string;
  readonly profile?: Readonly<Record<string, unknown>>;
}

export interface Role { readonly id: string; readonly type: string; readonly label: string; readonly status: string }

export interface App { readonly id: string; readonly label: string; readonly name: string; readonly status: string; readonly signOnMode: string }

export interface GroupOwner { readonly id: string; readonly type: string; readonly displayName: string }

/** "Ada Lovelace", or the login when the profile has no name. */
export function displayName(user: Pick<User, 'profile'>): string {
  const name = [user.profile.firstName, user.profile.lastName].filter(Boolean).join(' ');
  return name || user.profile.login;
}

export const userStatuses = ['STAGED', 'PROVISIONED', 'ACTIVE', 'RECOVERY', 'PASSWORD_EXPIRED', 'LOCKED_OUT', 'SUSPENDED', 'DEPROVISIONED'] as const;

/** A date and time in the admin's locale; a dash when there is none. */
export function when(value: string | null | undefined): string {
  return value ? new Date(value).toLocaleString() : '—';
}
