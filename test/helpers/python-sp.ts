/**
 * Service providers that no one here wrote, run as Python scripts under `test/interop/saml/`:
 * pysaml2 (Debian's python3-pysaml2) and python3-saml (Debian's python3-onelogin-saml2). Each
 * step is one run of the script with a JSON object on stdin and one on stdout; the SP's key,
 * certificate and saved state live in a temporary directory that `close()` removes.
 *
 * The scripts run with Debian's interpreter (`/usr/bin/python3`), where the packages are
 * installed; a missing package fails the test with the package to install, never a skip.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireCommand, testKeyPair, type TestKeyPair } from './certificates.ts';

export const debianPython = '/usr/bin/python3';
const scriptDir = fileURLToPath(new URL('../interop/saml/', import.meta.url));

export type PythonSpLibrary = 'pysaml2' | 'onelogin';

const libraries: Readonly<Record<PythonSpLibrary, { script: string; module: string; debianPackage: string }>> = {
  pysaml2: { script: 'pysaml2_sp.py', module: 'saml2.client', debianPackage: 'python3-pysaml2' },
  onelogin: { script: 'onelogin_sp.py', module: 'onelogin.saml2.auth', debianPackage: 'python3-onelogin-saml2' },
};

/** Throws, naming the Debian package, when the library cannot be imported by Debian's Python. */
export function requirePythonLibrary(library: PythonSpLibrary): void {
  const { module, debianPackage } = libraries[library];
  try {
    execFileSync(debianPython, ['-c', `import ${module}`], { stdio: 'pipe' });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim().split('\n').pop() ?? (error as Error).message;
    throw new Error(`These tests need ${module.split('.')[0]} for ${debianPython} (Debian package ${debianPackage}: \`apt-get install -y ${debianPackage}\`); importing it failed: ${stderr}`);
  }
}

/**
 * Why these SP tests cannot run here (a library or xmlsec1 missing, with the package to install),
 * or undefined. Tests check it in `beforeEach` so that every test fails with the reason.
 */
export function missingPeers(...needed: PythonSpLibrary[]): Error | undefined {
  try {
    // pysaml2 signs, verifies and decrypts with the xmlsec1 command; the tests check every response with it.
    requireCommand('xmlsec1', ['--version'], 'xmlsec1');
    for (const library of needed) requirePythonLibrary(library);
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

/** What a script answers: `ok: false` when the library refused the message, with its reason. */
export type SpResult = { readonly ok: true; readonly [key: string]: any } | { readonly ok: false; readonly errorType: string; readonly error: string };

export interface PythonSp {
  readonly library: PythonSpLibrary;
  readonly entityId: string;
  readonly acsUrl: string;
  readonly sloUrl: string;
  readonly keyPair: TestKeyPair;
  /** The SP's certificate as bare base64 DER, as Okta's `x5c` wants it. */
  readonly x5c: string;
  /** Runs one step; `input` adds to (and may override) the SP's settings. */
  run(command: string, input?: Record<string, unknown>): Promise<SpResult>;
  /** Like `run`, but throws with the library's reason unless the step succeeded. */
  ok(command: string, input?: Record<string, unknown>): Promise<Record<string, any>>;
  close(): void;
}

export interface PythonSpOptions {
  readonly library: PythonSpLibrary;
  readonly entityId: string;
  readonly acsUrl: string;
  readonly sloUrl: string;
  /** Lanyard's IdP metadata for the app, as XML. */
  readonly idpMetadata: string;
  /** The key pair's name (its certificate's CN); one per SP. */
  readonly keyName: string;
  /** Further settings every step gets (the scripts document theirs). */
  readonly settings?: Record<string, unknown>;
}

export function createPythonSp(options: PythonSpOptions): PythonSp {
  requirePythonLibrary(options.library);
  const keyPair = testKeyPair(options.keyName);
  const dir = mkdtempSync(join(tmpdir(), `lanyard-${options.library}-`));
  const keyFile = join(dir, 'sp-key.pem');
  const certFile = join(dir, 'sp-cert.pem');
  writeFileSync(keyFile, keyPair.privateKeyPem, { mode: 0o600 });
  writeFileSync(certFile, keyPair.certificatePem);
  const base = {
    spEntityId: options.entityId, acsUrl: options.acsUrl, sloUrl: options.sloUrl, idpMetadata: options.idpMetadata,
    keyFile, certFile, stateDir: join(dir, 'state'), ...options.settings,
  };
  const script = join(scriptDir, libraries[options.library].script);
  const run = (command: string, input: Record<string, unknown> = {}) => runScript(script, { ...base, ...input, command });
  return {
    library: options.library, entityId: options.entityId, acsUrl: options.acsUrl, sloUrl: options.sloUrl, keyPair,
    x5c: x5cOf(keyPair.certificatePem),
    run,
    async ok(command, input) {
      const result = await run(command, input);
      if (!result.ok) throw new Error(`${options.library} refused (${command}): ${result.errorType}: ${result.error}`);
      return result;
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs a script with `input` as JSON on stdin (without blocking the Lanyard in this process) and parses its answer. */
function runScript(script: string, input: Record<string, unknown>): Promise<SpResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(debianPython, [script], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', (error) => { clearTimeout(timer); reject(error); });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      if (status !== 0) {
        reject(new Error(`${script} ${String(input.command)} failed (${signal ?? `exit ${status}`}):\n${stderr.slice(-4000)}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as SpResult);
      } catch {
        reject(new Error(`${script} ${String(input.command)} printed no JSON: ${stdout.slice(0, 500)}\n${stderr.slice(-2000)}`));
      }
    });
    child.stdin.end(JSON.stringify(input));
  });
}

/** A PEM certificate as bare base64 DER, as Okta's `x5c` arrays hold it. */
export function x5cOf(certificatePem: string): string {
  return certificatePem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '');
}

/** The query parameters of a URL, decoded, as the Python libraries take them (`get_data`). */
export function queryOf(url: string): Record<string, string> {
  return Object.fromEntries(new URL(url).searchParams);
}
