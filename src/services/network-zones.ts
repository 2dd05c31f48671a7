/**
 * Network zones (`/api/v1/zones`): IP zones used by policy rules, and blocklists. Every org has
 * Okta's two system zones, `LegacyIpZone` (POLICY) and `BlockedIpZone` (BLOCKLIST), empty at first.
 */
import { AppError, notFound, validationError } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { blockedIpZoneName, legacyIpZoneName, zoneInputSchema, type NetworkZone } from '../domain/network-zone.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import { UniqueViolation, type OrgStore, type Timestamped } from './ports.ts';
import { buildEvent } from './system-log.ts';
import { parseOrThrow } from './validation.ts';

const zoneTarget = (zone: NetworkZone) => ({ id: zone.id, type: 'NetworkZone', alternateId: zone.name, displayName: zone.name });

/** Okta's list filter: `usage eq "POLICY"` or `id eq "…"`, joined by `or`. */
export function parseZoneFilter(filter: string): (zone: NetworkZone) => boolean {
  const terms = filter.trim().split(/\s+or\s+/i).map((term) => /^(id|usage)\s+eq\s+"([^"]*)"$/i.exec(term.trim()));
  if (terms.some((t) => t === null)) throw new AppError('request.invalid_search', { causes: ['filter: use id eq "…" or usage eq "POLICY|BLOCKLIST", joined by or'] });
  return (zone) => terms.some((t) => (t![1]!.toLowerCase() === 'id' ? zone.id === t![2] : zone.usage === t![2]));
}

export function createNetworkZoneService(deps: ServiceDeps) {
  const { store, clock } = deps;

  /** Writes the two system zones when the org lacks them (another node may be writing them too). */
  async function ensureDefaultZones(orgId: string): Promise<void> {
    const existing = await store.forOrg(orgId).networkZones.list();
    const now = clock.now().toISOString();
    for (const [name, usage] of [[legacyIpZoneName, 'POLICY'], [blockedIpZoneName, 'BLOCKLIST']] as const) {
      if (existing.some((z) => z.system && z.name === name)) continue;
      const zone: NetworkZone = { id: newId('networkZone'), type: 'IP', name, status: 'ACTIVE', usage, system: true, gateways: null, proxies: null };
      try {
        await store.forOrg(orgId).networkZones.insert(zone, now, name);
      } catch (error) {
        if (!(error instanceof UniqueViolation)) throw error;
      }
    }
  }

  async function requireZone(scoped: OrgStore, id: string): Promise<Timestamped<NetworkZone>> {
    const zone = await scoped.networkZones.findById(id);
    if (!zone) throw notFound('NetworkZone', id);
    return zone;
  }

  async function list(caller: Caller, filter?: string): Promise<Timestamped<NetworkZone>[]> {
    // The system zones first, as Okta lists them (they are written in the same moment), then by creation.
    const rank = (z: NetworkZone) => (z.system ? [legacyIpZoneName, blockedIpZoneName].indexOf(z.name) : 2);
    const zones = (await store.forOrg(caller.org.id).networkZones.list()).sort((a, b) => rank(a) - rank(b));
    return filter ? zones.filter(parseZoneFilter(filter)) : zones;
  }

  function toZone(raw: unknown, id: string, existing?: NetworkZone): NetworkZone {
    const input = parseOrThrow(zoneInputSchema, raw);
    const gateways = input.gateways?.length ? input.gateways : null;
    const proxies = input.proxies?.length ? input.proxies : null;
    if (existing?.system) {
      if (input.name !== existing.name) throw validationError([`name: a system zone keeps its name (${existing.name})`], 'name');
      if (input.usage !== existing.usage) throw validationError([`usage: a system zone keeps its usage (${existing.usage})`], 'usage');
    } else if (!gateways && !proxies) {
      throw validationError(['gateways: an IP zone needs at least one gateway or proxy'], 'gateways');
    }
    return {
      id, type: 'IP', name: input.name, status: existing?.status ?? input.status ?? 'ACTIVE', usage: input.usage,
      system: existing?.system ?? false, gateways, proxies,
    };
  }

  async function write(caller: Caller, zone: NetworkZone, event: 'zone.create' | 'zone.update' | 'zone.activate' | 'zone.deactivate', isNew: boolean) {
    const now = clock.now().toISOString();
    await store.transaction(async (tx) => {
      const scoped = tx.forOrg(caller.org.id);
      if (isNew) await scoped.networkZones.insert(zone, now);
      else await scoped.networkZones.update(zone, now);
      await scoped.logs.append(buildEvent(clock, caller, event, { targets: [zoneTarget(zone)] }));
    });
    return requireZone(store.forOrg(caller.org.id), zone.id);
  }

  async function create(caller: Caller, raw: unknown) {
    return write(caller, toZone(raw, newId('networkZone')), 'zone.create', true);
  }

  async function replace(caller: Caller, id: string, raw: unknown) {
    const existing = await requireZone(store.forOrg(caller.org.id), id);
    return write(caller, toZone(raw, id, existing), 'zone.update', false);
  }

  async function setStatus(caller: Caller, id: string, status: NetworkZone['status']) {
    const { created: _c, lastUpdated: _u, ...zone } = await requireZone(store.forOrg(caller.org.id), id);
    if (zone.status === status) return requireZone(store.forOrg(caller.org.id), id);
    return write(caller, { ...zone, status }, status === 'ACTIVE' ? 'zone.activate' : 'zone.deactivate', false);
  }

  /** Deletes a zone no rule names; system zones stay. */
  async function remove(caller: Caller, id: string): Promise<void> {
    const scoped = store.forOrg(caller.org.id);
    const zone = await requireZone(scoped, id);
    if (zone.system) throw new AppError('resource.read_only', { causes: [`${zone.name} is a system zone and cannot be deleted.`] });
    const users = (await scoped.policies.listRules()).filter((r) => [...(r.conditions.network?.include ?? []), ...(r.conditions.network?.exclude ?? [])].includes(id));
    if (users.length > 0) {
      throw new AppError('resource.in_use', {
        detail: 'zone', causes: users.map((r) => `zone: the rule ${JSON.stringify(r.name)} (${r.id}) of policy ${r.policyId} names this zone`),
      });
    }
    await store.transaction(async (tx) => {
      await tx.forOrg(caller.org.id).networkZones.delete(id);
      await tx.forOrg(caller.org.id).logs.append(buildEvent(clock, caller, 'zone.delete', { targets: [zoneTarget(zone)] }));
    });
  }

  return { ensureDefaultZones, list, get: (caller: Caller, id: string) => requireZone(store.forOrg(caller.org.id), id), create, replace, setStatus, remove };
}

export type NetworkZoneService = ReturnType<typeof createNetworkZoneService>;
