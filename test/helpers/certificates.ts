/**
 * Throwaway key pairs with self-signed certificates for tests of signatures, made by the real
 * `openssl` command (Debian's package) in a temporary directory and cached per process. A test
 * that needs them fails loudly when openssl is missing; it never skips.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestKeyPair {
  readonly privateKeyPem: string;
  readonly certificatePem: string;
}

/** Throws, naming the Debian package to install, when `command` cannot be run. */
export function requireCommand(command: string, versionArgs: readonly string[], debianPackage: string): void {
  try {
    execFileSync(command, versionArgs, { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`These tests need \`${command}\` (Debian package ${debianPackage}); running \`${command} ${versionArgs.join(' ')}\` failed: ${(error as Error).message}`);
  }
}

const cache = new Map<string, TestKeyPair>();

/**
 * A key pair named `name` (the certificate's CN): RSA 2048 by default, or an ECDSA P-256 key for
 * tests of algorithm confusion. The same name gives the same pair for the life of the process.
 */
export function testKeyPair(name = 'lanyard-test', kind: 'rsa' | 'ec' = 'rsa'): TestKeyPair {
  const cacheKey = `${kind}:${name}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  requireCommand('openssl', ['version'], 'openssl');
  const dir = mkdtempSync(join(tmpdir(), 'lanyard-cert-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    const newKey = kind === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
    execFileSync('openssl', ['req', '-x509', ...newKey, '-nodes', '-sha256', '-days', '2', '-subj', `/CN=${name}`,
      '-keyout', keyPath, '-out', certPath], { stdio: 'pipe' });
    const pair = { privateKeyPem: readFileSync(keyPath, 'utf8'), certificatePem: readFileSync(certPath, 'utf8') };
    if (!pair.privateKeyPem.includes('PRIVATE KEY') || !pair.certificatePem.includes('BEGIN CERTIFICATE')) {
      throw new Error(`openssl did not write a key pair for ${name}.`);
    }
    cache.set(cacheKey, pair);
    return pair;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
