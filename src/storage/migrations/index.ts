/**
 * The ordered list of migrations. Forward-only, timestamped, dialect-neutral where Kysely's
 * schema builder allows; each names the one place it differs by dialect.
 */
import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import * as core from './2026-11-22T00-core.ts';
import * as oidc from './2026-11-23T00-oidc.ts';
import * as trustedOrigins from './2026-11-23T01-trusted-origins.ts';
import * as catalog from './2026-11-24T00-catalog.ts';
import * as networkMonitor from './2026-11-24T01-network-monitor.ts';
import * as provisioning from './2026-11-24T02-provisioning.ts';
import * as provisioningQueueOrder from './2026-11-24T03-provisioning-queue-order.ts';
import * as provisioningImports from './2026-11-24T04-provisioning-imports.ts';
import * as factors from './2026-11-24T05-factors.ts';
import * as webauthnFactors from './2026-11-25T00-webauthn-factors.ts';
import * as policies from './2026-11-25T01-policies.ts';
import * as directories from './2026-11-25T02-directories.ts';
import * as mfaSignOn from './2026-11-25T03-mfa-sign-on.ts';
import * as swaVault from './2026-11-26T00-swa-vault.ts';

export const migrations: Record<string, Migration> = {
  '2026-11-22T00-core': core,
  '2026-11-23T00-oidc': oidc,
  '2026-11-23T01-trusted-origins': trustedOrigins,
  '2026-11-24T00-catalog': catalog,
  '2026-11-24T01-network-monitor': networkMonitor,
  '2026-11-24T02-provisioning': provisioning,
  '2026-11-24T03-provisioning-queue-order': provisioningQueueOrder,
  '2026-11-24T04-provisioning-imports': provisioningImports,
  '2026-11-24T05-factors': factors,
  '2026-11-25T00-webauthn-factors': webauthnFactors,
  '2026-11-25T01-policies': policies,
  '2026-11-25T02-directories': directories,
  '2026-11-25T03-mfa-sign-on': mfaSignOn,
  '2026-11-26T00-swa-vault': swaVault,
};

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'lanyard_migrations',
    migrationLockTableName: 'lanyard_migrations_lock',
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${String((result.error as Error).message ?? result.error)}`);
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
