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
}

