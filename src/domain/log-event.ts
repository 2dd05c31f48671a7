/**
 * System log events in Okta's LogEvent shape. Events are facts: built once, stored, never changed.
 * Nothing secret goes in: no password, token, key or credential, in any field.
 */
export type Severity = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
export type OutcomeResult = 'SUCCESS' | 'FAILURE' | 'SKIPPED' | 'ALLOW' | 'DENY' | 'CHALLENGE' | 'UNKNOWN';

export interface LogActor {
  readonly id: string;
  readonly type: string;
  readonly alternateId: string;
  readonly displayName: string;
  readonly detailEntry?: Record<string, unknown> | null;
}

export type LogTarget = LogActor;

export interface LogClient {
  readonly userAgent: { readonly rawUserAgent: string | null; readonly os: string | null; readonly browser: string | null } | null;
  readonly zone: string | null;
  readonly device: string | null;
  readonly id: string | null;
  readonly ipAddress: string | null;
  readonly geographicalContext: null;
}

export interface LogEvent {
  readonly uuid: string;
  readonly published: string;
  readonly eventType: string;
  readonly version: '0';
  readonly severity: Severity;
  readonly legacyEventType: string | null;
  readonly displayMessage: string;
  readonly actor: LogActor;
  readonly client: LogClient;
  readonly outcome: { readonly result: OutcomeResult; readonly reason: string | null };
  readonly target: readonly LogTarget[];
  readonly transaction: { readonly type: 'WEB' | 'JOB'; readonly id: string; readonly detail: Record<string, unknown> };
  readonly debugContext: { readonly debugData: Record<string, string> };
  readonly authenticationContext: {
    readonly authenticationProvider: string | null;
    readonly credentialProvider: string | null;
    readonly credentialType: string | null;
    readonly issuer: null;
    readonly interface: string | null;
    readonly authenticationStep: number;
    readonly externalSessionId: string | null;
  };
  readonly securityContext: { readonly asNumber: null; readonly asOrg: null; readonly isp: null; readonly domain: null; readonly isProxy: null };
  readonly request: { readonly ipChain: readonly { readonly ip: string; readonly version: 'V4' | 'V6' }[] };
}

/** Okta's event types used by Lanyard, with their display messages. */
export const eventTypes = {
  'user.lifecycle.create': 'Create Okta user',
  'user.lifecycle.activate': 'Activate Okta user',
  'user.lifecycle.reactivate': 'Reactivate Okta user',
  'user.lifecycle.deactivate': 'Deactivate Okta user',
  'user.lifecycle.suspend': 'Suspend Okta user',
  'user.lifecycle.unsuspend': 'Unsuspend Okta user',
  'user.lifecycle.delete.initiated': 'Delete Okta user',
  'user.lifecycle.password_mass_expiry': 'Expire password',
  'user.account.update_profile': 'Update user profile for Okta',
  'user.account.lock': 'Max sign in attempts exceeded',
  'user.account.unlock_by_admin': 'Unlock user account by admin',
  'user.account.reset_password': 'Fired when the user\'s Okta password is reset',
  'user.account.update_password': 'User update password for Okta',
  'user.account.expire_password': 'Expire password',
  'user.session.start': 'User login to Okta',
  'user.session.end': 'User logout from Okta',
  'user.session.clear': 'Clear user session',
  'user.authentication.sso': 'User single sign on to app',
  'group.lifecycle.create': 'Create Okta group',
  'group.lifecycle.delete': 'Delete Okta group',
  'group.profile.update': 'Update Okta group profile',
  'group.user_membership.add': 'Add user to group membership',
  'group.user_membership.remove': 'Remove user from group membership',
  'system.api_token.create': 'Create API token',
  'system.api_token.revoke': 'Revoke API token',
  'system.org.rate_limit.violation': 'Rate limit violation',
  'system.org.create': 'Create org',
  'system.org.settings.update': 'Update org settings',
  'user.account.privilege.grant': 'Grant user privilege',
  'application.lifecycle.create': 'Add application',
  'application.lifecycle.update': 'Update application',
  'application.lifecycle.activate': 'Activate application',
  'application.lifecycle.deactivate': 'Deactivate application',
  'application.lifecycle.delete': 'Delete application',
  'application.user_membership.add': 'Add user to application membership',
  'application.user_membership.remove': 'Remove user from application membership',
  'application.group_membership.add': 'Add assigned group to application',
  'application.group_membership.remove': 'Remove assigned group from application',
  'app.oauth2.credentials.secret.create': 'Create client secret',
  'app.oauth2.credentials.secret.update': 'Update client secret',
  'app.oauth2.credentials.secret.delete': 'Delete client secret',
  'oauth2.as.created': 'Create authorization server',
  'oauth2.as.updated': 'Update authorization server',
  'oauth2.as.activated': 'Activate authorization server',
  'oauth2.as.deactivated': 'Deactivate authorization server',
  'oauth2.as.deleted': 'Delete authorization server',
  'oauth2.as.key.rollover': 'Rotate authorization server signing key',
  'oauth2.as.config.updated': 'Update authorization server configuration',
  'app.oauth2.as.authorize': 'OAuth2 authorization request',
  'app.oauth2.as.token.grant': 'OAuth2 token granted',
  'app.oauth2.as.consent.grant': 'User granted consent to app',
  'app.oauth2.as.consent.revoke': 'Consent revoked',
  'app.oauth2.as.token.revoke': 'OAuth2 token revoked',
  'app.oauth2.as.token.detect_reuse': 'Refresh token reuse detected',
  'user.mfa.factor.activate': 'Activate factor or method for user',
  'user.mfa.factor.deactivate': 'Reset factor for user',
  'user.mfa.factor.reset_all': 'Reset all factors for user',
  'user.mfa.factor.update': 'Update factor for user',
  'user.authentication.auth_via_mfa': 'Authentication of user via MFA',
  'policy.evaluate_sign_on': 'Evaluation of sign-on policy',
  'policy.lifecycle.create': 'Create policy',
  'policy.lifecycle.update': 'Update policy',
  'policy.lifecycle.activate': 'Activate policy',
  'policy.lifecycle.deactivate': 'Deactivate policy',
  'policy.lifecycle.delete': 'Delete policy',
  'policy.rule.add': 'Add policy rule',
  'policy.rule.update': 'Update policy rule',
  'policy.rule.activate': 'Activate policy rule',
  'policy.rule.deactivate': 'Deactivate policy rule',
  'policy.rule.delete': 'Delete policy rule',
  'zone.create': 'Create network zone',
  'zone.update': 'Update network zone',
  'zone.activate': 'Activate network zone',
  'zone.deactivate': 'Deactivate network zone',
  'zone.delete': 'Delete network zone',
  'application.policy.sign_on.update': 'Update application sign on policy',
  'application.provisioning.connection.update': 'Update provisioning connection of application',
  'application.provisioning.settings.update': 'Update provisioning settings of application',
  'application.provisioning.user.push': 'Push user to application',
  'application.provisioning.user.deactivate': 'Deactivate user in application',
  'application.provisioning.task.dead': 'Provisioning task gave up',
  'application.user_membership.change_username': 'Change users application username',
  'application.user_membership.change_password': 'Change users application password',
  'application.user_membership.show_password': 'Show users application password',
  // Lanyard's credential vault (SWA).
  'application.swa.launch': 'Sign in to application with vaulted credentials',
  'application.swa.check.success': 'User confirmed a sign-in with vaulted credentials worked',
  'application.swa.check.failure': 'User reported a sign-in with vaulted credentials failed',
  'system.master_key.rotate': 'Re-wrap data keys under a new master key',
  // Lanyard's directories.
  'system.directory.create': 'Add directory integration',
  'system.directory.update': 'Update directory integration',
  'system.directory.delete': 'Delete directory integration',
  'system.directory.import.start': 'Start directory import',
  'system.directory.import.finish': 'Finish directory import',
  'system.directory.unavailable': 'Directory could not be reached',
  'system.directory.agent.enroll': 'Enrol directory agent',
  'system.directory.agent.revoke': 'Revoke directory agent',
  // Lanyard's integration network.
  'application.integration.add': 'Add application from the integration network',
  'application.integration.upgrade': 'Apply an integration version to an application',
  'network.integration.create': 'Create integration',
  'network.integration.version.create': 'Create integration version',
  'network.integration.version.update': 'Update integration version',
  'network.integration.version.submit': 'Submit integration version for review',
  'network.integration.version.checks': 'Run integration checks',
  'network.integration.version.comment': 'Comment on integration version',
  'network.integration.version.reject': 'Reject integration version',
  'network.integration.version.publish': 'Publish integration version',
  'network.integration.monitor.fail': 'Published integration failed its checks',
  'network.integration.monitor.recover': 'Published integration passed its checks again',
} as const;

export type EventType = keyof typeof eventTypes;
