/** Where each org answers, and the host name of a Host header. */
import { describe, expect, it } from 'vitest';
import { hostOf, orgUrl } from '../../src/domain/org-url.ts';

const org = (name: string, customDomain: string | null = null, isDefault = false) => ({ name, customDomain, isDefault });

describe('orgUrl', () => {
  it('answers the default org on the base URL\'s origin, path and trailing slash dropped', () => {
    expect(orgUrl(org('lanyard', null, true), new URL('https://id.example.com'))).toBe('https://id.example.com');
    expect(orgUrl(org('lanyard', null, true), new URL('http://localhost:8080/some/path/'))).toBe('http://localhost:8080');
  });

  it('answers the default org on the base URL even when it has a custom domain', () => {
    expect(orgUrl(org('lanyard', 'login.acme.com', true), new URL('https://id.example.com'))).toBe('https://id.example.com');
  });

  it('answers another org on a subdomain of the base host, with the base scheme and port', () => {
    expect(orgUrl(org('acme'), new URL('https://id.example.com'))).toBe('https://acme.id.example.com');
    expect(orgUrl(org('acme'), new URL('http://localhost:8080/base'))).toBe('http://acme.localhost:8080');
    // The URL parser drops a scheme's default port, so it does not appear either.
    expect(orgUrl(org('acme'), new URL('https://id.example.com:443'))).toBe('https://acme.id.example.com');
  });

  it('answers an org with a custom domain there, sharing the base port when the domain has none', () => {
    expect(orgUrl(org('acme', 'login.acme.com'), new URL('https://id.example.com'))).toBe('https://login.acme.com');
    expect(orgUrl(org('acme', 'login.acme.com'), new URL('https://id.example.com:8443'))).toBe('https://login.acme.com:8443');
    expect(orgUrl(org('acme', 'login.acme.com'), new URL('http://localhost:8080'))).toBe('http://login.acme.com:8080');
  });

  it('keeps a custom domain\'s own port', () => {
    expect(orgUrl(org('acme', 'login.acme.com:9443'), new URL('https://id.example.com:8443'))).toBe('https://login.acme.com:9443');
    expect(orgUrl(org('acme', 'login.acme.com:9443'), new URL('https://id.example.com'))).toBe('https://login.acme.com:9443');
  });

  it('tells an IPv6 custom domain\'s colons from a port', () => {
    expect(orgUrl(org('acme', '[::1]'), new URL('http://localhost:8080'))).toBe('http://[::1]:8080');
    expect(orgUrl(org('acme', '[::1]:9000'), new URL('http://localhost:8080'))).toBe('http://[::1]:9000');
    expect(orgUrl(org('acme', '[2001:db8::1]'), new URL('https://id.example.com'))).toBe('https://[2001:db8::1]');
  });
});

describe('hostOf', () => {
  it.each([
    ['id.example.com', 'id.example.com'],
    ['acme.id.example.com:8443', 'acme.id.example.com'],
    ['localhost:8080', 'localhost'],
    ['127.0.0.1:8080', '127.0.0.1'],
    ['[::1]:8080', '[::1]'],
    ['[::1]', '[::1]'],
    ['[2001:DB8::1]:443', '[2001:db8::1]'],
    ['ACME.Example.COM', 'acme.example.com'],
    ['Login.Acme.COM:443', 'login.acme.com'],
    ['  id.example.com:80 ', 'id.example.com'],
    ['', ''],
  ])('%j → %j', (header, host) => {
    expect(hostOf(header)).toBe(host);
  });
});
