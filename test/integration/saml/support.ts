/**
 * Shared pieces of the SAML suites (not a test file itself): hand-made AuthnRequests in both
 * bindings, a pino sink that keeps every log line, a clock that can be moved forward, and the
 * checks every refused request must pass (a readable page, no form, nothing posted anywhere).
 */
import { Writable } from 'node:stream';
import { deflateRawSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { createLogger } from '../../../src/app/logger.ts';
import type { Logger } from '../../../src/kernel/logger.ts';
import { findForms, textOf, type Navigation, type Response } from '../../helpers/browserless.ts';
import { postedForm } from '../../helpers/saml.ts';

export const protocolNs = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const assertionNs = 'urn:oasis:names:tc:SAML:2.0:assertion';

export interface RequestFields {
  id?: string | null;
  version?: string | null;
  issueInstant?: string | null;
  destination?: string | null;
  acsUrl?: string | null;
  acsIndex?: number | string | null;
  protocolBinding?: string | null;
  issuer?: string | null;
  forceAuthn?: boolean;
  isPassive?: boolean;
  /** Replaces the root element's name (`samlp:` prefix kept). */
  rootName?: string;
  /** Extra XML inside the request, after the Issuer. */
  inner?: string;
  /** Text put before the root element (a DOCTYPE, an XML declaration, …). */
  prolog?: string;
}

/** An AuthnRequest as an SP writes one; `null` leaves a field out. */
export function authnRequestXml(fields: RequestFields = {}): string {
  const attrs: string[] = [];
  const put = (name: string, value: string | number | null | undefined) => {
    if (value !== null && value !== undefined) attrs.push(`${name}="${value}"`);
  };
  put('ID', fields.id === undefined ? `_${randomBytes(16).toString('hex')}` : fields.id);
  put('Version', fields.version === undefined ? '2.0' : fields.version);
  put('IssueInstant', fields.issueInstant === undefined ? new Date().toISOString() : fields.issueInstant);
  put('Destination', fields.destination);
  put('AssertionConsumerServiceURL', fields.acsUrl);
  put('AssertionConsumerServiceIndex', fields.acsIndex);
  put('ProtocolBinding', fields.protocolBinding === undefined ? 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST' : fields.protocolBinding);
  if (fields.forceAuthn) put('ForceAuthn', 'true');
  if (fields.isPassive) put('IsPassive', 'true');
  const root = fields.rootName ?? 'AuthnRequest';
  const issuer = fields.issuer === null || fields.issuer === undefined ? '' : `<saml:Issuer>${fields.issuer}</saml:Issuer>`;
  return `${fields.prolog ?? ''}<samlp:${root} xmlns:samlp="${protocolNs}" xmlns:saml="${assertionNs}" ${attrs.join(' ')}>`
    + `${issuer}${fields.inner ?? ''}</samlp:${root}>`;
}

/** The HTTP-Redirect binding's encoding: raw DEFLATE, then base64. */
export function deflated(xml: string | Buffer): string {
  return deflateRawSync(typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml).toString('base64');
}

/** The HTTP-POST binding's encoding: plain base64. */
export function base64(xml: string): string {
  return Buffer.from(xml, 'utf8').toString('base64');
}

/** A Redirect-binding URL for an SSO endpoint. */
export function redirectUrl(ssoUrl: string, xml: string, relayState?: string): string {
  const query = new URLSearchParams({ SAMLRequest: deflated(xml), ...(relayState !== undefined ? { RelayState: relayState } : {}) });
  return `${ssoUrl}?${query.toString()}`;
}

/** Every log line Lanyard writes, kept in memory (info level, so refused requests show up too). */
export function logSink(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger('debug', sink), lines };
}

/** Real time shifted forward on demand, never back. */
export function steppedClock() {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance(ms: number) {
      expect(ms).toBeGreaterThan(0);
      offset += ms;
    },
  };
}

/**
 * The navigation ended on Lanyard's own page (no redirect to another origin) with this status,
 * saying `says`, without any form posting to another origin and without a SAML message in it.
 */
export function expectRefused(nav: Navigation, status: number, says: RegExp): Response {
  const page = nav.final;
  // Lanyard's own page: no redirect onwards (to the SP or anywhere else).
  expect(new URL(page.url).origin).toBe(new URL(nav.hops[0]!.url).origin);
  expect(page.location).toBeUndefined();
  expect({ status: page.status, text: textOf(page.body).slice(0, 400) }).toMatchObject({ status, text: expect.stringMatching(says) });
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(postedForm(nav)).toBeUndefined();
  expect(findForms(page.body).filter((form) => /^https?:/.test(form.action))).toEqual([]);
  expect(page.body).not.toMatch(/SAMLResponse|samlp:Response|saml:Assertion/);
  return page;
}

/** The XML of the SAMLResponse a page posts. */
export function responseXml(nav: Navigation): string {
  const form = postedForm(nav);
  if (!form?.fields.SAMLResponse) {
    throw new Error(`expected a form posting a SAMLResponse, got ${nav.final.status} at ${nav.final.url}: ${textOf(nav.final.body).slice(0, 300)}`);
  }
  return Buffer.from(form.fields.SAMLResponse, 'base64').toString('utf8');
}

/** The value of an attribute of the first element with this local name. */
export function xmlAttr(xml: string, element: string, name: string): string | undefined {
  const tag = new RegExp(`<(?:\\w+:)?${element}\\b[^>]*>`).exec(xml)?.[0];
  return tag ? new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1] : undefined;
}

/**
 * Nothing secret in the log lines: no SAML message (request or response, raw or base64), no
 * assertion, no private key, no password, none of the given values (session cookies, tokens, …).
 */
export function expectCleanLogs(lines: readonly string[], secrets: readonly string[] = []): void {
  expect(lines.length).toBeGreaterThan(0);
  const all = lines.join('\n');
  for (const pattern of [/SAMLRequest=/, /SAMLResponse/, /PHNhbWxw/ /* "<samlp" in base64 */, /samlp:/, /saml:Assertion/, /Assertion>/,
    /PRIVATE KEY/, /X509Certificate/, /root:x:0:0/]) {
    expect(all).not.toMatch(pattern);
  }
  for (const secret of secrets) if (secret) expect(all).not.toContain(secret);
}
