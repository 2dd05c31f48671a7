/** IP zone entries and matching: IPv4, IPv6, CIDR blocks, ranges, IPv4-mapped IPv6, strict validation. */
import { describe, expect, it } from 'vitest';
import { ipInZone, parseIp, parseZoneAddress, zoneInputSchema, type ZoneAddress } from '../../src/domain/network-zone.ts';

const zone = (...gateways: [ZoneAddress['type'], string][]) => ({ gateways: gateways.map(([type, value]) => ({ type, value })) });

describe('parseIp', () => {
  it('reads IPv4, IPv6 in every written form, and IPv4-mapped IPv6 as IPv4', () => {
    expect(parseIp('192.0.2.1')).toEqual({ family: 4, value: 0xc0000201n });
    expect(parseIp('2001:db8::1')).toEqual({ family: 6, value: (0x20010db8n << 96n) | 1n });
    expect(parseIp('2001:0db8:0000:0000:0000:0000:0000:0001')).toEqual(parseIp('2001:db8::1'));
    expect(parseIp('::')).toEqual({ family: 6, value: 0n });
    expect(parseIp('::1')).toEqual({ family: 6, value: 1n });
    expect(parseIp('::ffff:192.0.2.1')).toEqual({ family: 4, value: 0xc0000201n });
    expect(parseIp('::FFFF:c000:0201')).toEqual({ family: 4, value: 0xc0000201n });
    expect(parseIp('64:ff9b::192.0.2.1')).toEqual({ family: 6, value: (0x64ff9bn << 96n) | 0xc0000201n });
  });

  it('refuses what is not an address', () => {
    for (const junk of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.4 ', 'a::b::c', ':1', '1:', '1:2:3:4:5:6:7:8:9', '12345::', 'fe80::1%eth0', 'localhost', '::ffff:1.2.3']) {
      expect(parseIp(junk), junk).toBeUndefined();
    }
  });
});

describe('ipInZone', () => {
  it('matches IPv4 CIDR blocks at their edges only', () => {
    const z = zone(['CIDR', '10.1.0.0/16']);
    expect(ipInZone('10.1.0.0', z)).toBe(true);
    expect(ipInZone('10.1.255.255', z)).toBe(true);
    expect(ipInZone('10.2.0.0', z)).toBe(false);
    expect(ipInZone('10.0.255.255', z)).toBe(false);
    expect(ipInZone('0.0.0.1', zone(['CIDR', '0.0.0.0/0']))).toBe(true);
    expect(ipInZone('198.51.100.7', zone(['CIDR', '198.51.100.7/32']))).toBe(true);
  });

  it('matches ranges, inclusive, and a single-address range', () => {
    const z = zone(['RANGE', '192.0.2.10-192.0.2.20'], ['RANGE', '203.0.113.5']);
    expect(ipInZone('192.0.2.10', z)).toBe(true);
    expect(ipInZone('192.0.2.20', z)).toBe(true);
    expect(ipInZone('192.0.2.21', z)).toBe(false);
    expect(ipInZone('192.0.2.9', z)).toBe(false);
    expect(ipInZone('203.0.113.5', z)).toBe(true);
    expect(ipInZone('203.0.113.6', z)).toBe(false);
  });

  it('matches IPv6 blocks and ranges, never across families', () => {
    const z = zone(['CIDR', '2001:db8:abcd::/48'], ['RANGE', 'fd00::1-fd00::ff']);
    expect(ipInZone('2001:db8:abcd:ffff:ffff:ffff:ffff:ffff', z)).toBe(true);
    expect(ipInZone('2001:db8:abce::', z)).toBe(false);
    expect(ipInZone('fd00::80', z)).toBe(true);
    expect(ipInZone('fd00::100', z)).toBe(false);
    expect(ipInZone('32.1.13.184', z)).toBe(false);
    expect(ipInZone('::', zone(['CIDR', '0.0.0.0/0']))).toBe(false);
  });

  it('treats an IPv4-mapped IPv6 client (a dual-stack socket) as the IPv4 address, and mapped entries likewise', () => {
    expect(ipInZone('::ffff:10.1.2.3', zone(['CIDR', '10.0.0.0/8']))).toBe(true);
    expect(ipInZone('::ffff:11.1.2.3', zone(['CIDR', '10.0.0.0/8']))).toBe(false);
    expect(ipInZone('10.1.2.3', zone(['CIDR', '::ffff:10.0.0.0/104']))).toBe(true);
    expect(ipInZone('10.1.2.3', zone(['RANGE', '::ffff:10.1.2.0-::ffff:10.1.2.9']))).toBe(true);
  });

  it('never matches junk, an empty zone, or proxies', () => {
    expect(ipInZone('not-an-ip', zone(['CIDR', '0.0.0.0/0']))).toBe(false);
    expect(ipInZone('10.0.0.1', { gateways: null })).toBe(false);
    expect(ipInZone('10.0.0.1', { gateways: [], proxies: [{ type: 'CIDR', value: '10.0.0.0/8' }] } as never)).toBe(false);
  });
});

describe('parseZoneAddress and the zone schema', () => {
  it.each([
    ['CIDR', '10.0.0.0', 'prefix length'],
    ['CIDR', '10.0.0.0/33', 'outside 0-32'],
    ['CIDR', '2001:db8::/129', 'outside 0-128'],
    ['CIDR', '10.0.0.1/8', 'host bits'],
    ['CIDR', '10.0.0.0/x', 'no valid prefix'],
    ['RANGE', '10.0.0.9-10.0.0.1', 'starts after it ends'],
    ['RANGE', '10.0.0.1-::1', 'mixes IPv4 and IPv6'],
    ['RANGE', '10.0.0.1-10.0.0.2-10.0.0.3', 'one address or two'],
    ['RANGE', '10.0.0.300', 'not an IPv4 or IPv6'],
  ] as const)('%s %s is refused (%s)', (type, value, reason) => {
    const parsed = parseZoneAddress({ type, value });
    expect(typeof parsed).toBe('string');
    expect(parsed).toContain(reason);
  });

  it('names the bad entry by list, index and value', () => {
    const result = zoneInputSchema.safeParse({ type: 'IP', name: 'Office', gateways: [{ type: 'CIDR', value: '10.0.0.0/8' }, { type: 'CIDR', value: '10.0.0.1/8' }] });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['gateways.1.value', '"10.0.0.1/8" has host bits set; write the network address of the block']]);
  });

  it('refuses other zone types, unknown usages, address types, proxies in a blocklist and too many entries', () => {
    const paths = (body: unknown) => zoneInputSchema.safeParse(body).error?.issues.map((i) => i.path.join('.'));
    expect(paths({ type: 'DYNAMIC', name: 'x' })).toEqual(['type']);
    expect(paths({ type: 'IP', name: 'x', usage: 'OTHER' })).toEqual(['usage']);
    expect(paths({ type: 'IP', name: 'x', gateways: [{ type: 'MASK', value: '1.2.3.4' }] })).toEqual(['gateways.0.type']);
    expect(paths({ type: 'IP', name: 'x', usage: 'BLOCKLIST', proxies: [{ type: 'RANGE', value: '1.2.3.4' }] })).toEqual(['proxies']);
    const many = Array.from({ length: 151 }, (_, i) => ({ type: 'RANGE', value: `10.0.${i}.1` }));
    expect(paths({ type: 'IP', name: 'x', gateways: many })).toEqual(['gateways']);
    expect(zoneInputSchema.safeParse({ type: 'IP', name: 'x', usage: 'BLOCKLIST', gateways: many }).success).toBe(true);
  });
});
