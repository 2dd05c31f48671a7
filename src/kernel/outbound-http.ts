/**
 * Requests Lanyard makes to other people's servers (a vendor's ACS, redirect URI or SCIM base
 * URL during the network's checks). Guarded: loopback, private and link-local addresses are
 * refused unless the deployment allows them (LANYARD_ALLOW_PRIVATE_NETWORK), checked on the
 * address actually connected to, so DNS cannot steer a request inside; answers are read up to a
 * limit, within a timeout; extra certificate authorities can be trusted (LANYARD_TRUSTED_CA_FILE).
 */
import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

export interface OutboundRequest {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface OutboundResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export type OutboundHttp = (url: string, init?: OutboundRequest) => Promise<OutboundResponse>;

export class OutboundError extends Error {}

const blocked = new BlockList();
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['::ffff:0:0', 96]] as const) blocked.addSubnet(net, prefix, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  return family === 0 ? true : blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export interface OutboundOptions {
  readonly allowPrivateNetwork: boolean;
  /** PEM certificates trusted besides the system's. */
  readonly extraCa?: string | undefined;
  readonly timeoutMs?: number;
  readonly maxBodyBytes?: number;
}

export function createOutboundHttp(options: OutboundOptions): OutboundHttp {
  const ca = options.extraCa ? [...rootCertificates, options.extraCa] : undefined;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;

  // Checked at connect time, on the address resolved for this very connection.
  const lookup = (hostname: string, opts: object, callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(hostname, { ...opts, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as LookupAddress[];
      if (!options.allowPrivateNetwork && list.some((a) => isPrivateAddress(a.address))) {
        return callback(new OutboundError(`${hostname} is on a private network, which this deployment does not call (LANYARD_ALLOW_PRIVATE_NETWORK=true allows it)`), '', 0);
      }
      if ((opts as { all?: boolean }).all) return callback(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };

  return (url, init = {}) => new Promise<OutboundResponse>((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return reject(new OutboundError('not a URL'));
    }
    if (target.protocol !== 'https:' && target.protocol !== 'http:') return reject(new OutboundError(`${target.protocol} is not http or https`));
    const literal = target.hostname.replace(/^\[|\]$/g, '');
    if (isIP(literal) && !options.allowPrivateNetwork && isPrivateAddress(literal)) {
      return reject(new OutboundError(`${target.hostname} is on a private network, which this deployment does not call (LANYARD_ALLOW_PRIVATE_NETWORK=true allows it)`));
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers: Record<string, string> = { 'user-agent': 'Lanyard integration checks', ...init.headers };
    if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
    const req = send(target, { method: init.method ?? 'GET', headers, lookup: lookup as never, ...(ca ? { ca } : {}), timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBody) {
          req.destroy(new OutboundError(`the answer is larger than ${maxBody} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new OutboundError(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}
