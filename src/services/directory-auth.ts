/**
 * Delegated authentication: a directory user's password is checked by binding to their directory
 * as them (directly, or through an agent), never stored in Lanyard. A directory that cannot be
 * reached is reported as such — logged, and kept apart from a wrong password.
 */
import { checkPassword, DirectoryFailure } from '../directory/ldap.ts';
import type { UserWithSecrets } from '../domain/user.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import { directoryTarget, settingsOf, type DirectoryService } from './directories.ts';
import type { DirectoryAgents } from './directory-agents.ts';
import { buildEvent } from './system-log.ts';

export type DelegatedVerdict = 'valid' | 'invalid' | 'unavailable';

export function createDirectoryAuth(deps: ServiceDeps, directories: DirectoryService, agents: DirectoryAgents) {
  const { store, clock, logger } = deps;

  return async function verify(caller: Caller, user: UserWithSecrets, password: string): Promise<DelegatedVerdict> {
    const org = store.forOrg(caller.org.id);
    const directory = user.directoryId ? await org.directories.findById(user.directoryId) : undefined;
    const link = await org.directories.findLink('user', user.id);
    if (!directory || !link || !settingsOf(directory).delegatedAuthentication || password === '') return 'invalid';
    let verdict: DelegatedVerdict;
    let why = '';
    try {
      verdict = settingsOf(directory).mode === 'AGENT'
        ? await agents.bind(caller.org.id, directory, link.dn, password)
        : await checkPassword(await directories.connectionOf(caller.org.id, directory), link.dn, password);
      if (verdict === 'unavailable') why = 'no agent answered in time';
    } catch (error) {
      if (!(error instanceof DirectoryFailure)) throw error;
      verdict = 'unavailable';
      why = error.message;
    }
    if (verdict === 'unavailable') {
      logger.warn({ org: caller.org.id, directory: directory.id, err: why }, 'directory unavailable for a sign-in');
      await org.logs.append(buildEvent(clock, caller, 'system.directory.unavailable', {
        outcome: 'FAILURE', severity: 'WARN', reason: why.slice(0, 200), targets: [directoryTarget(directory)],
      }));
    }
    return verdict;
  };
}
