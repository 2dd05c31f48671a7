/**
 * Master-key rotation: every org's data keys are unwrapped with the current master key and wrapped
 * with the new one, in one transaction (all or none), each proved to open before it is written.
 * Values sealed with the data keys (client secrets, factor secrets, vaulted SWA credentials,
 * signing keys…) are untouched and open as before. The operator then starts Lanyard with the new
 * key. Backup codes of TOTP factors are HMACs under a key derived from the master key: they
 * cannot be carried over and stop working; users make new ones.
 */
import { rewrapDataKey } from '../vault/envelope.ts';
import { systemActor, noClient } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import { buildEvent } from './system-log.ts';

export interface RotationResult {
  readonly dataKeys: number;
  readonly orgs: number;
}

export async function rotateMasterKey(deps: Pick<ServiceDeps, 'store' | 'clock' | 'masterKey'>, newMasterKey: Buffer): Promise<RotationResult> {
  const { store, clock, masterKey } = deps;
  if (newMasterKey.length !== 32) throw new Error('the new master key must be 32 bytes');
  if (newMasterKey.equals(masterKey)) throw new Error('the new master key is the current one');
  return store.transaction(async (tx) => {
    const records = await tx.dataKeys.all();
    const orgIds = new Set<string>();
    for (const record of records) {
      await tx.dataKeys.setWrapped(record.orgId, record.id, rewrapDataKey(record, masterKey, newMasterKey));
      orgIds.add(record.orgId);
    }
    for (const orgId of orgIds) {
      const org = await tx.orgs.findById(orgId);
      if (!org) continue;
      await tx.forOrg(orgId).logs.append(buildEvent(clock, { org, actor: systemActor, client: noClient, requestId: 'master-key-rotate', requestUri: null },
        'system.master_key.rotate', { debugData: { dataKeys: String(records.filter((r) => r.orgId === orgId).length) } }));
    }
    return { dataKeys: records.length, orgs: orgIds.size };
  });
}
