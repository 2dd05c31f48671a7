/**
 * Table types for Kysely. Dialect-neutral column types: text for ids, timestamps (ISO 8601 UTC,
 * which sorts correctly as text) and JSON documents; integer for counters and flags.
 * Every org-owned table leads with `org_id`.
 */


export interface OrgsTable {
  id: string;
  name: string;
  display_name: string;
  custom_domain: string | null;
  is_default: number;
  settings: string;
  created: string;
  last_updated: string;
}

export interface UsersTable {
  org_id: string;
  id: string;
  status: string;
  transitioning_to_status: string | null;
  login: string;
  login_key: string;
  email_key: string;
  first_name_key: string;
  last_name_key: string;
  profile: string;
  type_id: string;
  password_hash: string | null;
  password_changed: string | null;
  recovery_question: string | null;
  provider_type: string;
  provider_name: string | null;
  directory_id: string | null;
  failed_sign_ins: number;
  created: string;
  activated: string | null;
  status_changed: string | null;
  last_login: string | null;
  last_updated: string;
}

export interface PasswordHistoryTable {
  org_id: string;
  user_id: string;
  password_hash: string;
  created: string;
}

export interface UserRolesTable {
  org_id: string;
  user_id: string;
  role: string;
  created: string;
}

export interface UserTokensTable {
  org_id: string;
  token_hash: string;
  user_id: string;
  purpose: string;
  created: string;
  expires_at: string;
  /** JSON array of the methods the sign-in behind a session token used; null for other purposes. */
  amr: string | null;
}

export interface GroupsTable {
  org_id: string;
  id: string;
  type: string;
  name: string;
  name_key: string;
  description: string | null;
  profile: string;
  created: string;
  last_updated: string;
  last_membership_updated: string;
}

export interface GroupMembersTable {
  org_id: string;
  group_id: string;
  user_id: string;
  created: string;
}

export interface ApiTokensTable {
  org_id: string;
  id: string;
  name: string;
  token_hash: string;
  user_id: string;
  client_name: string;
  created: string;
  last_updated: string;
  expires_at: string;
}

export interface SessionsTable {
  org_id: string;
  id: string;
  token_hash: string;
  user_id: string;
  csrf_token: string;
  amr: string;
  /** When the user last proved a second factor in this session. */
  mfa_at: string | null;
  created: string;
  last_seen: string;
  idle_expires_at: string;
  expires_at: string;
}

export interface LogEventsTable {
  org_id: string;
  uuid: string;
  published: string;
  event_type: string;
  severity: string;
  actor_id: string | null;
  outcome_result: string;
  display_message: string;
  search_text: string;
  event: string;
}

export interface LogEventTargetsTable {
  org_id: string;
  uuid: string;
  target_id: string;
  target_type: string;
}


export interface OrgDataKeysTable {
  org_id: string;
  id: string;
  wrapped_key: string;
  status: string;
  created: string;
}

export interface AppsTable {
  org_id: string;
  id: string;
  name: string;
  label: string;
  label_key: string;
  status: string;
  sign_on_mode: string;
  client_id: string | null;
  settings: string;
  credentials: string;
  visibility: string;
  accessibility: string;
  created: string;
  last_updated: string;
}

export interface AppClientSecretsTable {
  org_id: string;
  app_id: string;
  id: string;
  ciphertext: string;
  secret_hash: string;
  status: string;
  created: string;
  last_updated: string;
}

export interface AppUserAssignmentsTable {
  org_id: string;
  app_id: string;
  user_id: string;
  profile: string;
  created: string;
  last_updated: string;
}

export interface SwaCredentialsTable {
  org_id: string;
  app_id: string;
  user_id: string;
  user_name: string | null;
  password: string | null;
  last_updated: string;
}

export interface SwaSharedCredentialsTable {
  org_id: string;
  app_id: string;
  user_name: string;
  password: string;
  last_updated: string;
}

export interface SwaLaunchesTable {
  org_id: string;
  id: string;
  app_id: string;
  user_id: string;
  created: string;
}

export interface AppGroupAssignmentsTable {
  org_id: string;
  app_id: string;
  group_id: string;
  priority: number;
  profile: string;
  created: string;
  last_updated: string;
}

export interface AuthorizationServersTable {
  org_id: string;
  id: string;
  name: string;
  description: string;
  audiences: string;
  issuer_mode: string;
  status: string;
  signing: string;
  created: string;
  last_updated: string;
}

/** Scopes, claims, policies and rules: an Okta document with the columns it is looked up by. */
export interface AsDocumentTable {
  org_id: string;
  as_id: string;
  id: string;
  document: string;
  created: string;
  last_updated: string;
}

export interface AsScopesTable extends AsDocumentTable { name: string }
export interface AsClaimsTable extends AsDocumentTable { name: string; claim_type: string }
export interface AsPoliciesTable extends AsDocumentTable { priority: number }
export interface AsPolicyRulesTable extends AsDocumentTable { policy_id: string; priority: number }

export interface SigningKeysTable {
  org_id: string;
  kid: string;
  owner_type: string;
  owner_id: string;
  alg: string;
  status: string;
  private_ciphertext: string;
  public_jwk: string;
  certificate: string | null;
  created: string;
  activated: string | null;
  retired: string | null;
  delete_after: string | null;
}

export interface OidcPayloadsTable {
  org_id: string;
  as_id: string;
  model: string;
  id: string;
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  account_id: string | null;
  client_id: string | null;
  expires_at: string | null;
  consumed_at: string | null;
}

export interface TrustedOriginsTable {
  org_id: string;
  id: string;
  name: string;
  origin: string;
  scopes: string;
  status: string;
  created: string;
  created_by: string;
  last_updated: string;
  last_updated_by: string;
}

export interface IntegrationsTable {
  id: string;
  key: string;
  owner_org_id: string;
  test_app_id: string | null;
  created: string;
  last_updated: string;
}

export interface IntegrationVersionsTable {
  integration_id: string;
  version: string;
  manifest: string;
  status: string;
  tier: string | null;
  submission: string | null;
  review: string | null;
  created: string;
  last_updated: string;
  submitted: string | null;
  published: string | null;
  monitor: string | null;
  monitor_claimed: string | null;
}

export interface AppIntegrationsTable {
  org_id: string;
  app_id: string;
  integration_key: string;
  version: string;
  sign_on_mode: string;
  variables: string;
  rendered: string;
  created: string;
  last_updated: string;
}

export interface AppProvisioningTable {
  org_id: string;
  app_id: string;
  base_url: string;
  auth_scheme: string;
  credentials: string;
  status: string;
  capabilities: string;
  settings: string;
  created: string;
  last_updated: string;
}

export interface ProvisioningTasksTable {
  id: string;
  org_id: string;
  app_id: string;
  subject_type: string;
  subject_id: string;
  kind: string;
  payload: string | null;
  status: string;
  attempts: number;
  next_attempt_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  last_error: string | null;
  created: string;
  last_updated: string;
}

export interface ProvisioningLinksTable {
  org_id: string;
  app_id: string;
  subject_type: string;
  subject_id: string;
  external_id: string | null;
  external_name: string | null;
  status: string;
  last_error: string | null;
  last_synced: string | null;
  last_updated: string;
}

export interface ProvisioningRequestsTable {
  id: string;
  org_id: string;
  app_id: string;
  task_id: string | null;
  at: string;
  method: string;
  path: string;
  request_body: string | null;
  status: number;
  response_body: string | null;
  duration_ms: number;
}

export interface ProvisioningImportsTable {
  id: string;
  org_id: string;
  app_id: string;
  status: string;
  options: string;
  progress: string;
  results: string | null;
  error: string | null;
  created: string;
  last_updated: string;
}

export interface UserFactorsTable {
  org_id: string;
  id: string;
  user_id: string;
  factor_type: string;
  provider: string;
  status: string;
  secret: string;
  last_step: number | null;
  created: string;
  last_updated: string;
  credential_id: string | null;
  public_key: string | null;
  /** bigint: PostgreSQL hands it back as text. */
  sign_count: number | string | null;
  /** JSON array of transport hints. */
  transports: string | null;
  aaguid: string | null;
  authenticator_name: string | null;
}

export interface UserFactorBackupCodesTable {
  org_id: string;
  factor_id: string;
  code_hash: string;
  used_at: string | null;
  created: string;
}

export interface NetworkZonesTable {
  org_id: string;
  id: string;
  default_key: string | null;
  usage: string;
  document: string;
  created: string;
  last_updated: string;
}

export interface PoliciesTable {
  org_id: string;
  id: string;
  default_key: string | null;
  type: string;
  priority: number;
  document: string;
  created: string;
  last_updated: string;
}

export interface PolicyRulesTable {
  org_id: string;
  id: string;
  policy_id: string;
  priority: number;
  document: string;
  created: string;
  last_updated: string;
}

export interface AppAccessPoliciesTable {
  org_id: string;
  app_id: string;
  policy_id: string;
  created: string;
}

export interface DirectoriesTable {
  org_id: string;
  id: string;
  name: string;
  name_key: string;
  settings: string;
  bind_password: string;
  created: string;
  last_updated: string;
}

export interface DirectoryLinksTable {
  org_id: string;
  subject_type: string;
  subject_id: string;
  directory_id: string;
  external_id: string;
  dn: string;
  dn_key: string;
  mark: string | null;
  seen_import: string | null;
  last_updated: string;
}

export interface DirectoryImportsTable {
  org_id: string;
  id: string;
  directory_id: string;
  kind: string;
  status: string;
  since: string | null;
  mark: string | null;
  progress: string;
  error: string | null;
  created: string;
  last_updated: string;
}

export interface DirectoryAgentsTable {
  org_id: string;
  id: string;
  directory_id: string;
  name: string;
  secret_hash: string;
  created: string;
  last_seen: string | null;
}

export interface DirectoryAgentTokensTable {
  org_id: string;
  token_hash: string;
  directory_id: string;
  created: string;
  expires_at: string;
}

export interface DirectoryJobsTable {
  org_id: string;
  id: string;
  directory_id: string;
  kind: string;
  payload: string;
  status: string;
  agent_id: string | null;
  lease_until: string | null;
  result: string | null;
  created: string;
  last_updated: string;
}

export interface Database {
  orgs: OrgsTable;
  users: UsersTable;
  password_history: PasswordHistoryTable;
  user_roles: UserRolesTable;
  user_tokens: UserTokensTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  api_tokens: ApiTokensTable;
  sessions: SessionsTable;
  log_events: LogEventsTable;
  log_event_targets: LogEventTargetsTable;
  org_data_keys: OrgDataKeysTable;
  apps: AppsTable;
  app_client_secrets: AppClientSecretsTable;
  app_user_assignments: AppUserAssignmentsTable;
  app_group_assignments: AppGroupAssignmentsTable;
  swa_credentials: SwaCredentialsTable;
  swa_shared_credentials: SwaSharedCredentialsTable;
  swa_launches: SwaLaunchesTable;
  authorization_servers: AuthorizationServersTable;
  as_scopes: AsScopesTable;
  as_claims: AsClaimsTable;
  as_policies: AsPoliciesTable;
  as_policy_rules: AsPolicyRulesTable;
  signing_keys: SigningKeysTable;
  oidc_payloads: OidcPayloadsTable;
  trusted_origins: TrustedOriginsTable;
  integrations: IntegrationsTable;
  integration_versions: IntegrationVersionsTable;
  app_integrations: AppIntegrationsTable;
  app_provisioning: AppProvisioningTable;
  provisioning_tasks: ProvisioningTasksTable;
  provisioning_links: ProvisioningLinksTable;
  provisioning_requests: ProvisioningRequestsTable;
  provisioning_imports: ProvisioningImportsTable;
  user_factors: UserFactorsTable;
  directories: DirectoriesTable;
  directory_links: DirectoryLinksTable;
  directory_imports: DirectoryImportsTable;
  directory_agents: DirectoryAgentsTable;
  directory_agent_tokens: DirectoryAgentTokensTable;
  directory_jobs: DirectoryJobsTable;
  network_zones: NetworkZonesTable;
  policies: PoliciesTable;
  policy_rules: PolicyRulesTable;
  app_access_policies: AppAccessPoliciesTable;
  user_factor_backup_codes: UserFactorBackupCodesTable;
}

