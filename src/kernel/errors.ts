/**
 * The one error type of Lanyard and the registry of its codes.
 *
 * Every failure a caller can cause is an {@link AppError} whose `code` is a key of
 * {@link errorRegistry}. The registry says, once, which HTTP status the failure gets, the public
 * description shown to the caller, a hint that tells them what to do, and the code each wire
 * format uses for it (Okta's `E00000xx` for `/api/v1`). Debug text travels only to logs.
 */

export interface ErrorSpec {
  /** HTTP status the failure is answered with. */
  readonly status: number;
  /** Okta's error code for `/api/v1` responses. */
  readonly okta: string;
  /** Public summary; `{0}` is replaced by the error's detail when it has one. */
  readonly summary: string;
  /** What the caller can do about it. */
  readonly hint: string;
}

export const errorRegistry = {
  'request.validation_failed': {
    status: 400, okta: 'E0000001', summary: 'Api validation failed: {0}',
    hint: 'Correct the fields named in errorCauses and send the request again.',
  },
  'request.invalid_argument': {
    status: 400, okta: 'E0000002', summary: 'The request was not valid: {0}',
    hint: 'Check the query parameters against the API reference.',
  },
  'request.malformed_body': {
    status: 400, okta: 'E0000003', summary: 'The request body was not well-formed.',
    hint: 'Send a JSON object with Content-Type: application/json.',
  },
  'request.invalid_search': {
    status: 400, okta: 'E0000031', summary: 'Invalid search criteria.',
    hint: 'Use attribute operator value expressions, e.g. profile.email eq "a@example.com".',
  },
  'request.invalid_paging': {
    status: 400, okta: 'E0000029', summary: 'Invalid paging request.',
    hint: 'Use the cursor from the rel="next" Link header unchanged.',
  },
  'request.invalid_date': {
    status: 400, okta: 'E0000030',
    summary: 'Bad request. Invalid date. Dates must be of the form yyyy-MM-dd\'T\'HH:mm:ss.SSSZZ, e.g. 2013-01-01T12:00:00.000-07:00.',
    hint: 'Send dates in ISO 8601 form.',
  },
  'request.unsupported_media_type': {
    status: 415, okta: 'E0000012', summary: 'Unsupported media type',
    hint: 'Send the body as application/json.',
  },
  'request.too_large': {
    status: 413, okta: 'E0000001', summary: 'Api validation failed: {0}',
    hint: 'Send a smaller request body.',
  },
  'request.too_many_targets': {
    status: 400, okta: 'E0000093', summary: 'Target count limit exceeded',
    hint: 'Send at most 20 groupIds; add further memberships afterwards.',
  },
  'request.method_not_allowed': {
    status: 405, okta: 'E0000022', summary: 'The endpoint does not support the provided HTTP method',
    hint: 'See the API reference for the methods this path accepts.',
  },
  'request.path_not_found': {
    status: 404, okta: 'E0000008', summary: 'The requested path was not found',
    hint: 'Check the URL against the API reference.',
  },
  'auth.authentication_failed': {
    status: 401, okta: 'E0000004', summary: 'Authentication failed',
    hint: 'Check the username and password.',
  },
  'auth.invalid_token': {
    status: 401, okta: 'E0000011', summary: 'Invalid token provided',
    hint: 'Send Authorization: SSWS {token} with an active API token of this org.',
  },
  'auth.forbidden': {
    status: 403, okta: 'E0000006', summary: 'You do not have permission to perform the requested action',
    hint: 'Use a token or session with the needed administrator role.',
  },
  'auth.denied_by_policy': {
    status: 403, okta: 'E0000006', summary: 'You do not have permission to perform the requested action',
    hint: 'A sign-on policy rule denies this sign-in (its people, groups or network zone); an admin can see which in the system log.',
  },
  'auth.invalid_session': {
    status: 403, okta: 'E0000005', summary: 'Invalid session',
    hint: 'Sign in again.',
  },
  'resource.not_found': {
    status: 404, okta: 'E0000007', summary: 'Not found: Resource not found: {0}',
    hint: 'Check the id; it may belong to another org or have been deleted.',
  },
  'resource.conflict': {
    status: 400, okta: 'E0000001', summary: 'Api validation failed: {0}',
    hint: 'Choose a value that is not already in use in this org.',
  },
  'resource.read_only': {
    status: 403, okta: 'E0000006', summary: 'You do not have permission to perform the requested action',
    hint: 'Built-in resources cannot be changed.',
  },
  'resource.in_use': {
    status: 400, okta: 'E0000001', summary: 'Api validation failed: {0}',
    hint: 'Remove the references named in errorCauses (apps given a policy, rules naming a zone) first.',
  },
  'user.already_active': {
    status: 403, okta: 'E0000016', summary: 'Activation failed because the user is already active',
    hint: 'The user needs no activation.',
  },
  'user.invalid_status': {
    status: 400, okta: 'E0000001', summary: 'Api validation failed: {0}',
    hint: 'Check the user\'s status; this operation is not allowed from it.',
  },
  'user.unlock_not_allowed': {
    status: 403, okta: 'E0000032', summary: 'Unlock is not allowed for this user.',
    hint: 'Only a LOCKED_OUT user can be unlocked.',
  },
  'user.operation_not_allowed': {
    status: 403, okta: 'E0000038', summary: 'This operation is not allowed in the user\'s current status.',
    hint: 'Check the user\'s status; this operation is not allowed from it.',
  },
  'user.reset_password_failed': {
    status: 403, okta: 'E0000017', summary: 'Password reset failed',
    hint: 'The user\'s status does not allow a password reset.',
  },
  'user.password_policy': {
    status: 403, okta: 'E0000080', summary: 'The password does not meet the complexity requirements of the current password policy.',
    hint: 'Choose a password that meets the org\'s password policy.',
  },
  'user.credentials_failed': {
    status: 403, okta: 'E0000014', summary: 'Update of credentials failed',
    hint: 'Check the old password.',
  },
  'user.expire_on_create_needs_password': {
    status: 400, okta: 'E0000124',
    summary: 'Could not create user. To create a user and expire their password immediately, a password must be specified',
    hint: 'Send credentials.password.value with nextLogin=changePassword.',
  },
  'user.expire_on_create_needs_activation': {
    status: 400, okta: 'E0000125',
    summary: 'Could not create user. To create a user and expire their password immediately, "activate" must be true',
    hint: 'Leave activate at true with nextLogin=changePassword.',
  },
  'app.delete_active': {
    status: 403, okta: 'E0000056', summary: 'Delete application forbidden.',
    hint: 'Deactivate the app (POST …/lifecycle/deactivate) before deleting it.',
  },
  'network.version_locked': {
    status: 409, okta: 'E0000001', summary: 'Api validation failed: {0}',
    hint: 'Submitted and published versions never change: create a new version (POST …/versions) and change that.',
  },
  'network.not_reviewer': {
    status: 403, okta: 'E0000006', summary: 'You do not have permission to perform the requested action',
    hint: 'Reviewing needs the NETWORK_REVIEWER role, held by a user of the deployment\'s first org.',
  },
  'access_request.not_requestable': {
    status: 400, okta: 'E0000001', summary: 'Api validation failed: {0}',
    hint: 'Only apps an administrator made requestable can be asked for; see GET /catalog for them.',
  },
  'access_request.already_open': {
    status: 409, okta: 'E0000001', summary: 'Api validation failed: {0}',
    hint: 'A request for this app is pending already, or the user has the app; wait for the decision.',
  },
  'access_request.already_decided': {
    status: 409, okta: 'E0000001', summary: 'Api validation failed: {0}',
    hint: 'The request was approved or denied before; read it again to see the decision.',
  },
  'access_request.own_request': {
    status: 403, okta: 'E0000006', summary: 'You do not have permission to perform the requested action',
    hint: 'Nobody decides on their own request; another approver must.',
  },
  'access_request.not_approver': {
    status: 403, okta: 'E0000006', summary: 'You do not have permission to perform the requested action',
    hint: 'The app\'s request settings name who decides: an org administrator, or an owner of the group they name.',
  },
  'network.own_submission': {
    status: 403, okta: 'E0000006', summary: 'You do not have permission to perform the requested action',
    hint: 'A reviewer does not decide on an integration of their own org; another reviewer must.',
  },
  'factor.invalid_passcode': {
    status: 403, okta: 'E0000068', summary: 'Invalid Passcode/Answer',
    hint: 'Enter the current code from the authenticator app; a code is accepted once.',
  },
  'factor.webauthn_refused': {
    status: 403, okta: 'E0000068', summary: 'Invalid Passcode/Answer',
    hint: 'Use the security key or passkey of this factor on this org\'s own pages, with a challenge asked for just before (each is answered once, within five minutes).',
  },
  'factor.already_enrolled': {
    status: 400, okta: 'E0000001', summary: 'Api validation failed: factorEnrollRequest',
    hint: 'Each factor type and provider is enrolled once per user (WebAuthn: each authenticator once); remove it to enrol again.',
  },
  'factor.not_active': {
    status: 400, okta: 'E0000001', summary: 'Api validation failed: {0}',
    hint: 'Activate the factor (with a passcode, or the authenticator\'s attestation) before verifying with it.',
  },
  'directory.read_only_attribute': {
    status: 400, okta: 'E0000001', summary: 'Api validation failed: {0}',
    hint: 'The attribute comes from the user\'s directory: change it there; the next import brings it over.',
  },
  'directory.password_managed': {
    status: 403, okta: 'E0000014', summary: 'Update of credentials failed',
    hint: 'The user\'s password is kept by their directory: change or reset it there.',
  },
  'directory.invalid_agent_credentials': {
    status: 401, okta: 'E0000011', summary: 'Invalid token provided',
    hint: 'Send Authorization: Agent {agentId}:{secret} as issued at enrolment; a revoked agent must enrol again.',
  },
  'directory.invalid_enrollment_token': {
    status: 401, okta: 'E0000011', summary: 'Invalid token provided',
    hint: 'Ask an administrator for a new enrolment token (POST /api/v1/directories/{id}/agents/tokens); each enrols one agent and expires after an hour.',
  },
  'directory.not_agent_mode': {
    status: 400, okta: 'E0000001', summary: 'Api validation failed: {0}',
    hint: 'Agents serve directories in mode AGENT; change the directory\'s mode first.',
  },
  'swa.no_fill_waiting': {
    status: 404, okta: 'E0000007', summary: 'Not found: Resource not found: {0}',
    hint: 'Open the app from Lanyard (its app link) in this browser first; the extension is answered once, for the app\'s own sign-in page, within two minutes of the launch.',
  },
  'swa.extension_only': {
    status: 403, okta: 'E0000006', summary: 'You do not have permission to perform the requested action',
    hint: 'Only the Lanyard browser extension asks for a sign-in fill (it sends X-Lanyard-Extension: 1 from a chrome-extension:// origin); web pages cannot.',
  },
  'rate.limited': {
    status: 429, okta: 'E0000047', summary: 'API call exceeded rate limit due to too many requests.',
    hint: 'Wait until the time in X-Rate-Limit-Reset and retry.',
  },
  'internal.unexpected': {
    status: 500, okta: 'E0000009', summary: 'Internal Server Error',
    hint: 'Retry later; quote the errorId when reporting it.',
  },
  'internal.unavailable': {
    status: 503, okta: 'E0000010', summary: 'Service is temporarily unavailable',
    hint: 'Retry later.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorRegistry;

export interface AppErrorOptions {
  /** Replaces `{0}` in the registry summary. Public: never put secrets here. */
  readonly detail?: string;
  /** Public per-field causes, rendered as `errorCauses`. */
  readonly causes?: readonly string[];
  /** Text for logs only. */
  readonly debug?: string;
  /** The underlying failure, for logs only. */
  readonly cause?: unknown;
  /** Extra response headers (e.g. `Retry-After`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A failure with a registered code; safe to show to the caller as rendered by each wire format. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  readonly causes: readonly string[];
  readonly debug: string | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    super(renderSummary(code, options.detail), { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.detail = options.detail;
    this.causes = options.causes ?? [];
    this.debug = options.debug;
    this.headers = options.headers ?? {};
  }

  get spec(): ErrorSpec {
    return errorRegistry[this.code];
  }

  get status(): number {
    return errorRegistry[this.code].status;
  }
}

/** The public summary of a code with its detail filled in. */
export function renderSummary(code: ErrorCode, detail?: string): string {
  const { summary } = errorRegistry[code];
  return summary.replace('{0}', detail ?? '').replace(/:\s*$/, '');
}

/** Shorthand for the most common failure: a field-level validation error. */
export function validationError(causes: readonly string[], detail?: string): AppError {
  const first = causes[0]?.split(':')[0];
  return new AppError('request.validation_failed', { detail: detail ?? first ?? 'request', causes });
}

/** Shorthand for `resource.not_found` with Okta's "{id} ({Type})" detail. */
export function notFound(type: string, id: string): AppError {
  const shown = id.length > 100 ? `${id.slice(0, 100)}…` : id;
  return new AppError('resource.not_found', { detail: `${shown} (${type})` });
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
