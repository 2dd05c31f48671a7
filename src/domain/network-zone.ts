/**
 * Network zones as Okta models IP zones: `gateways` (the addresses requests come from) and
 * `proxies` (trusted proxies in front of them), each entry a CIDR block or an address range, IPv4
 * or IPv6. A POLICY zone is a condition of policy rules; an ACTIVE BLOCKLIST zone refuses every
 * sign-in from its gateways before any policy is read. Pure: no I/O.
 */
import { z } from 'zod';

export interface ZoneAddress {
  readonly type: 'CIDR' | 'RANGE';
  readonly value: string;
}

export interface NetworkZone {
  readonly id: string;
  readonly type: 'IP';
  readonly name: string;
  readonly status: 'ACTIVE' | 'INACTIVE';
  readonly usage: 'POLICY' | 'BLOCKLIST';
  /** Okta's defaults (`LegacyIpZone`, `BlockedIpZone`): kept, never deleted or renamed. */
  readonly system: boolean;
  readonly gateways: readonly ZoneAddress[] | null;
  readonly proxies: readonly ZoneAddress[] | null;
}

/** Names of the zones every org starts with, as Okta names them. */
export const legacyIpZoneName = 'LegacyIpZone';
export const blockedIpZoneName = 'BlockedIpZone';

/** One address as a number and its family; IPv4-mapped IPv6 addresses count as the IPv4 address. */
interface Parsed {
  readonly family: 4 | 6;
  readonly value: bigint;
}

const ipv4Pattern = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function parseIpv4(text: string): bigint | undefined {
  if (!ipv4Pattern.test(text)) return undefined;
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.includes(':::')) return undefined;
  let groups: number[] = [];
  let head = text;
  // A trailing dotted quad stands for the last two groups (`::ffff:192.0.2.1`).
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  let tailGroups: number[] = [];
  if (tail.includes('.')) {
    const v4 = parseIpv4(tail);
    if (v4 === undefined) return undefined;
    tailGroups = [Number(v4 >> 16n), Number(v4 & 0xffffn)];
    head = text.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = parseGroups(halves[0]!);
  const right = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (!left || !right) return undefined;
  const known = left.length + right.length + tailGroups.length;
  if (halves.length === 2) {
    if (known > 7) return undefined;
    groups = [...left, ...Array<number>(8 - known).fill(0), ...right, ...tailGroups];
  } else {
    if (known !== 8) return undefined;
    groups = [...left, ...tailGroups];
  }
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** Parses an IPv4 or IPv6 address (no zone index, no brackets); undefined when it is not one. */
export function parseIp(text: string): Parsed | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseIpv6(text);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { family: 4, value: v6 & 0xffffffffn };
  return { family: 6, value: v6 };
}

interface Interval {
  readonly family: 4 | 6;
  readonly from: bigint;
  readonly to: bigint;
}

/** The addresses an entry covers, or the reason it is not a valid entry. */
export function parseZoneAddress(entry: ZoneAddress): Interval | string {
  const value = entry.value.trim();
  if (entry.type === 'CIDR') {
    const slash = value.indexOf('/');
    if (slash === -1) return 'a CIDR entry needs a prefix length, e.g. 10.0.0.0/8';
    const ip = parseIp(value.slice(0, slash));
    const lengthText = value.slice(slash + 1);
    if (!ip) return 'is not an IPv4 or IPv6 address';
    if (!/^\d{1,3}$/.test(lengthText)) return 'has no valid prefix length';
    // A mapped address written in IPv6 form takes an IPv6 prefix length over the whole 128 bits.
    const bits = ip.family === 4 ? 32 : 128;
    let length = Number(lengthText);
    if (ip.family === 4 && value.slice(0, slash).includes(':')) length -= 96;
    if (length < 0 || length > bits) return `has a prefix length outside 0-${bits}`;
    const hostBits = BigInt(bits - length);
    const mask = (1n << hostBits) - 1n;
    if ((ip.value & mask) !== 0n) return 'has host bits set; write the network address of the block';
    return { family: ip.family, from: ip.value, to: ip.value | mask };
  }
  const parts = value.split('-');
  if (parts.length > 2) return 'a RANGE entry is one address or two joined by "-"';
  const from = parseIp(parts[0]!.trim());
  const to = parts.length === 2 ? parseIp(parts[1]!.trim()) : from;
  if (!from || !to) return 'is not an IPv4 or IPv6 address or address range';
  if (from.family !== to.family) return 'mixes IPv4 and IPv6';
  if (from.value > to.value) return 'starts after it ends';
  return { family: from.family, from: from.value, to: to.value };
}

function inEntries(ip: Parsed, entries: readonly ZoneAddress[] | null): boolean {
  for (const entry of entries ?? []) {
    const range = parseZoneAddress(entry);
    if (typeof range !== 'string' && range.family === ip.family && ip.value >= range.from && ip.value <= range.to) return true;
  }
  return false;
}

/**
 * True when the client address is one of the zone's gateways. Proxies are not matched: they are
 * the hops in front of a client, not where a user signs in from (Lanyard reads the client address
 * from the one proxy `LANYARD_TRUST_PROXY` names; a zone's `proxies` are kept as Okta's API shows them).
 * Status is the caller's business: policy evaluation treats an INACTIVE zone as matching nothing.
 */
export function ipInZone(ip: string, zone: Pick<NetworkZone, 'gateways'>): boolean {
  const parsed = parseIp(ip.trim());
  return parsed !== undefined && inEntries(parsed, zone.gateways);
}

const addressSchema = z.object({
  type: z.enum(['CIDR', 'RANGE'], { error: 'must be CIDR or RANGE' }),
  value: z.string({ error: 'is required' }).trim().min(1, 'is required').max(100),
});

/** Okta's limits: 150 entries in a policy zone, 1000 in a blocklist. */
export const zoneEntryLimit = { POLICY: 150, BLOCKLIST: 1000 } as const;

export const zoneInputSchema = z.object({
  type: z.literal('IP', { error: 'must be IP (the zone type this version supports)' }),
  name: z.string({ error: 'is required' }).trim().min(1, 'is required').max(128),
  status: z.enum(['ACTIVE', 'INACTIVE']).optional(),
  usage: z.enum(['POLICY', 'BLOCKLIST'], { error: 'must be POLICY or BLOCKLIST' }).default('POLICY'),
  gateways: z.array(addressSchema).nullish(),
  proxies: z.array(addressSchema).nullish(),
}).loose().superRefine((zone, ctx) => {
  for (const list of ['gateways', 'proxies'] as const) {
    const entries = zone[list] ?? [];
    if (entries.length > zoneEntryLimit[zone.usage]) {
      ctx.addIssue({ code: 'custom', path: [list], message: `at most ${zoneEntryLimit[zone.usage]} entries in a ${zone.usage} zone` });
    }
    entries.forEach((entry, index) => {
      const parsed = parseZoneAddress(entry);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', path: [list, index, 'value'], message: `${JSON.stringify(entry.value)} ${parsed}` });
    });
  }
  if (zone.usage === 'BLOCKLIST' && (zone.proxies ?? []).length > 0) {
    ctx.addIssue({ code: 'custom', path: ['proxies'], message: 'a BLOCKLIST zone has no proxies' });
  }
});
export type ZoneInput = z.output<typeof zoneInputSchema>;
