/** Maps driver errors to the storage port's errors, so SQLite and PostgreSQL fail alike. */
import { UniqueViolation } from '../services/ports.ts';

/** Index or constraint name → public field name. */
const uniqueFields: Record<string, string> = {
  users_login_key: 'login',
  users_pk: 'id',
  groups_name_key: 'name',
  groups_pk: 'id',
  orgs_pkey: 'id',
  orgs_name_key: 'name',
  orgs_custom_domain_key: 'customDomain',
  api_tokens_pk: 'id',
  api_tokens_hash: 'token',
  apps_client_id: 'client_id',
  trusted_origins_origin: 'origin',
  integrations_key: 'key',
  integrations_pkey: 'id',
  integration_versions_pk: 'version',
  as_scopes_name: 'name',
  as_claims_name: 'name',
  authorization_servers_pk: 'id',
  sessions_pk: 'id',
  sessions_hash: 'session',
  directories_name: 'name',
};

/** SQLite names the columns rather than the index: map those too. */
const sqliteColumns: Record<string, string> = {
  'users.org_id, users.login_key': 'login',
  'users.org_id, users.id': 'id',
  'groups.org_id, groups.name_key': 'name',
  'groups.org_id, groups.id': 'id',
  'api_tokens.org_id, api_tokens.id': 'id',
  'api_tokens.org_id, api_tokens.token_hash': 'token',
  'sessions.org_id, sessions.token_hash': 'session',
  'sessions.org_id, sessions.id': 'id',
  'orgs.id': 'id',
  'orgs.name': 'name',
  'orgs.custom_domain': 'customDomain',
  'apps.org_id, apps.client_id': 'client_id',
  'trusted_origins.org_id, trusted_origins.origin': 'origin',
  'as_scopes.org_id, as_scopes.as_id, as_scopes.name': 'name',
  'as_claims.org_id, as_claims.as_id, as_claims.claim_type, as_claims.name': 'name',
  'authorization_servers.org_id, authorization_servers.id': 'id',
  'integrations.key': 'key',
  'integrations.id': 'id',
  'integration_versions.integration_id, integration_versions.version': 'version',
  'directories.org_id, directories.name_key': 'name',
};

export function toStoreError(error: unknown): unknown {
  const e = error as { code?: string; constraint?: string; message?: string; errcode?: number };
  if (e?.code === '23505') return new UniqueViolation(uniqueFields[e.constraint ?? ''] ?? e.constraint ?? 'value');
  const message = e?.message ?? '';
  const sqlite = /UNIQUE constraint failed: (.+)$/.exec(message);
  if (sqlite) return new UniqueViolation(sqliteColumns[sqlite[1]!] ?? sqlite[1]!);
  return error;
}

/** Runs a write and converts constraint violations. */
export async function mapErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toStoreError(error);
  }
}
