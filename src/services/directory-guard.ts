/**
 * What a directory owns stays the directory's: the mapped profile attributes of its users and
 * their passwords. Changes through the API are refused with the attribute named; the directory's
 * own import changes them.
 */
import { AppError } from '../kernel/errors.ts';
import type { User } from '../domain/user.ts';
import type { DirectorySettings } from '../directory/settings.ts';
import type { OrgStore } from './ports.ts';

/** Refuses a profile change to a directory's user that touches a mapped attribute, or sets a password. */
export async function refuseDirectoryChanges(org: OrgStore, user: User, profile: Record<string, unknown>, setsPassword: boolean): Promise<void> {
  if (!user.directoryId) return;
  const directory = await org.directories.findById(user.directoryId);
  if (!directory) return;
  if (setsPassword) refusePassword(user);
  const settings = directory.settings as DirectorySettings;
  const before = user.profile as Record<string, unknown>;
  const changed = Object.keys(settings.attributes).filter((name) => (before[name] ?? null) !== (profile[name] ?? null));
  if (changed.length > 0) {
    throw new AppError('directory.read_only_attribute', {
      detail: changed.join(', '),
      causes: changed.map((name) => `${name}: Cannot modify the ${name} attribute because it comes from the directory ${directory.name}.`),
    });
  }
}

/** Refuses any password change or reset of a directory's user. */
export function refusePassword(user: User): void {
  if (!user.directoryId) return;
  throw new AppError('directory.password_managed', {
    causes: [`password: The password of ${user.profile.login} is kept by their directory (${user.provider?.name ?? 'directory'}); change or reset it there.`],
  });
}
