/** Authorization servers as Okta's API shows them (the fields the console uses). */
export interface AuthServer {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly audiences: string[];
  readonly issuer: string;
  readonly status: 'ACTIVE' | 'INACTIVE';
  readonly credentials: { signing: { rotationMode: 'AUTO' | 'MANUAL'; kid?: string; lastRotated?: string; nextRotation?: string } };
}

export interface OAuthScope {
  readonly id: string;
  readonly name: string;
  readonly displayName: string | null;
  readonly description: string | null;
  readonly system: boolean;
  readonly default: boolean;
  readonly consent: 'IMPLICIT' | 'REQUIRED' | 'FLEXIBLE';
  readonly metadataPublish: 'ALL_CLIENTS' | 'NO_CLIENTS';
}

export interface OAuthClaim {
  readonly id: string;
  readonly name: string;
  readonly status: 'ACTIVE' | 'INACTIVE';
  readonly claimType: 'RESOURCE' | 'IDENTITY';
  readonly valueType: 'EXPRESSION' | 'GROUPS';
  readonly value: string;
  readonly group_filter_type?: 'STARTS_WITH' | 'EQUALS' | 'CONTAINS' | 'REGEX';
  readonly alwaysIncludeInToken: boolean;
  readonly conditions: { scopes: string[] };
  readonly system: boolean;
}

export interface AccessPolicy {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly status: 'ACTIVE' | 'INACTIVE';
  readonly priority: number;
  readonly system: boolean;
  readonly conditions: { clients: { include: string[] } };
}

export interface PolicyRule {
  readonly id: string;
  readonly name: string;
  readonly status: 'ACTIVE' | 'INACTIVE';
  readonly priority: number;
  readonly system: boolean;
  readonly conditions: {
    people: { users: { include: string[]; exclude: string[] }; groups: { include: string[]; exclude: string[] } };
    grantTypes: { include: string[] };
    scopes: { include: string[] };
  };
  readonly actions: { token: { accessTokenLifetimeMinutes: number; refreshTokenLifetimeMinutes: number; refreshTokenWindowMinutes: number } };
}

export interface SigningKey {
  readonly kid: string;
  readonly status: 'ACTIVE' | 'NEXT' | 'EXPIRED';
  readonly kty: string;
  readonly alg?: string;
}

/** Splits "a, b c" into ["a", "b", "c"]. */
export const listOf = (text: string): string[] => text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);

/** Checkbox list helpers: adds or removes a value. */
export const toggled = (list: readonly string[], value: string, on: boolean): string[] =>
  on ? [...new Set([...list, value])] : list.filter((v) => v !== value);
