/**
 * A private Apache httpd for tests: its own ServerRoot, configuration, pid, lock and log files in
 * a temporary directory, `Listen 127.0.0.1:<port>`, only the modules asked for, run in the
 * foreground (`-DFOREGROUND`) as a child process and stopped by `close()`. Debian's packages
 * provide it: `apt-get install -y apache2 libapache2-mod-auth-openidc libapache2-mod-auth-mellon`.
 * A missing binary or module is an error that says which package to install, never a skip.
 *
 * When the tests run as root, the workers run as `www-data` (Apache refuses to serve as root), so
 * the directory and its files are made readable by everyone (except `privateFiles`, which the
 * parent reads while it parses the configuration).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from './ports.ts';

export const apacheBinary = '/usr/sbin/apache2';
export const apacheModuleDir = '/usr/lib/apache2/modules';

/** Which Debian package ships a module that is not in `apache2` itself. */
const modulePackages: Readonly<Record<string, string>> = { auth_openidc: 'libapache2-mod-auth-openidc', auth_mellon: 'libapache2-mod-auth-mellon' };

export interface TestApache {
  readonly url: string;
  readonly port: number;
  readonly root: string;
  /** The error log so far (for failure messages). */
  errorLog(): string;
  close(): Promise<void>;
}

export interface ApacheOptions {
  /** Port to listen on (pick one with `freePort()` first when URLs must be known in advance). */
  readonly port?: number;
  /** Module names as in `mod_{name}.so`, e.g. `auth_openidc`; the event MPM and `authz_core` are always loaded. */
  readonly modules: readonly string[];
  /** Configuration after the server basics; `{{root}}` and `{{port}}` are replaced. */
  readonly config: string;
  /** Files to create under the server root (paths relative to it), e.g. `htdocs/index.html`. */
  readonly files?: Readonly<Record<string, string>>;
  /**
   * Files readable by the user running the tests only (mode 0600), e.g. a private key that a
   * module reads while Apache parses its configuration, before the workers switch to www-data.
   */
  readonly privateFiles?: Readonly<Record<string, string>>;
}

/** Fails with what to install when Apache or one of the modules is missing. */
export function requireApache(modules: readonly string[]): void {
  if (!existsSync(apacheBinary)) {
    throw new Error(`${apacheBinary} is missing: install Debian's Apache with \`apt-get update && apt-get install -y apache2 libapache2-mod-auth-openidc\``);
  }
  for (const name of modules) {
    if (!existsSync(join(apacheModuleDir, `mod_${name}.so`))) {
      throw new Error(`Apache module mod_${name} is missing (${apacheModuleDir}/mod_${name}.so): install it with \`apt-get install -y ${modulePackages[name] ?? 'apache2'}\``);
    }
  }
}

export async function startApache(options: ApacheOptions): Promise<TestApache> {
  // Debian builds unixd and log_config into the binary; the MPM and authz_core are modules.
  const modules = ['mpm_event', 'authz_core', ...options.modules.filter((m) => !['mpm_event', 'authz_core'].includes(m))];
  requireApache(modules);
  const port = options.port ?? await freePort();
  const root = mkdtempSync(join(tmpdir(), 'lanyard-apache-'));
  const asRoot = process.getuid?.() === 0;
  const fill = (text: string) => text.replaceAll('{{root}}', root).replaceAll('{{port}}', String(port));
  mkdirSync(join(root, 'htdocs'), { recursive: true });
  mkdirSync(join(root, 'run'), { recursive: true });
  for (const [path, content] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), fill(content));
  }
  for (const [path, content] of Object.entries(options.privateFiles ?? {})) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content, { mode: 0o600 });
  }
  const config = `# A private Apache for one test run.
ServerRoot "${root}"
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile "${root}/run/httpd.pid"
DefaultRuntimeDir "${root}/run"
Mutex file:${root}/run default
ErrorLog "${root}/error.log"
LogLevel warn
${modules.map((m) => `LoadModule ${m}_module ${apacheModuleDir}/mod_${m}.so`).join('\n')}
${asRoot ? 'User www-data\nGroup www-data' : ''}
StartServers 1
ServerLimit 2
ThreadsPerChild 25
MaxRequestWorkers 50
MinSpareThreads 5
MaxSpareThreads 50
LogFormat "%h \\"%r\\" %>s" brief
CustomLog "${root}/access.log" brief
DocumentRoot "${root}/htdocs"
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory "${root}/htdocs">
  Require all granted
</Directory>
${fill(options.config)}
`;
  const configFile = join(root, 'httpd.conf');
  writeFileSync(configFile, config);
  // The workers (www-data when run as root) read the configuration's files and the documents.
  chmodSync(root, 0o755);
  for (const dir of ['htdocs', 'run', ...[...Object.keys(options.files ?? {}), ...Object.keys(options.privateFiles ?? {})].map((p) => dirname(p))]) {
    chmodSync(join(root, dir), 0o755);
  }
  for (const file of Object.keys(options.files ?? {})) chmodSync(join(root, file), 0o644);

  const errorLog = () => (existsSync(join(root, 'error.log')) ? readFileSync(join(root, 'error.log'), 'utf8') : '');
  let output = '';
  const child: ChildProcess = spawn(apacheBinary, ['-d', root, '-f', configFile, '-DFOREGROUND'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) => child.once('exit', (code) => { exited = code; resolve(); }));
  child.once('error', (error) => { output += `${error.message}\n`; });
  const stop = async () => {
    if (exited === undefined) {
      child.kill('SIGTERM');
      await Promise.race([exit, new Promise((r) => setTimeout(r, 10_000))]);
      if (exited === undefined) {
        child.kill('SIGKILL');
        await exit;
      }
    }
    rmSync(root, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  let answered = false;
  while (!answered && exited === undefined && Date.now() < deadline) {
    answered = await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' }).then(async (res) => { await res.arrayBuffer(); return true; }, () => false);
    if (!answered) await new Promise((r) => setTimeout(r, 100));
  }
  if (!answered) {
    const why = exited !== undefined ? `it exited with code ${exited}` : 'it did not answer within 15 s';
    const log = errorLog();
    await stop();
    throw new Error(`Apache did not start on 127.0.0.1:${port}: ${why}.\n${output}${log}`);
  }
  return { url: `http://127.0.0.1:${port}`, port, root, errorLog, close: stop };
}

export interface OidcApacheOptions {
  /** The port, chosen before the client is registered (its redirect URI names it). */
  readonly port: number;
  /** The provider's discovery document, e.g. `{issuer}/.well-known/openid-configuration`. */
  readonly metadataUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope?: string;
}

/** Where the protected page and the module's redirect URI live on an {@link startOidcApache} server. */
export const oidcApachePaths = {
  protectedPage: '/protected/index.shtml',
  redirectUri: '/protected/redirect_uri',
  signedOut: '/signed-out.html',
} as const;

/**
 * Apache with mod_auth_openidc as a relying party: everything under `/protected/` needs an
 * OpenID Connect sign-in; the protected page is a server-side include that shows the claims the
 * module passes on (`OIDC_CLAIM_*`) and the REMOTE_USER it sets.
 */
export function startOidcApache(options: OidcApacheOptions): Promise<TestApache> {
  const claims = ['preferred_username', 'sub', 'email', 'name'];
  return startApache({
    port: options.port,
    modules: ['auth_openidc', 'authn_core', 'authz_user', 'include', 'mime'],
    files: {
      'htdocs/protected/index.shtml': `<!doctype html>
<html><head><meta charset="utf-8"><title>Protected by mod_auth_openidc</title></head>
<body><h1>Protected by mod_auth_openidc</h1>
<dl>
${claims.map((c) => `<dt>${c}</dt><dd id="${c}"><!--#echo var="OIDC_CLAIM_${c}" --></dd>`).join('\n')}
<dt>REMOTE_USER</dt><dd id="remote_user"><!--#echo var="REMOTE_USER" --></dd>
</dl>
<p><a id="logout" href="${oidcApachePaths.redirectUri}?logout=http%3A%2F%2F127.0.0.1%3A{{port}}${encodeURIComponent(oidcApachePaths.signedOut)}">Sign out</a></p>
</body></html>
`,
      'mime.types': '',
      'htdocs/signed-out.html': '<!doctype html><html><head><meta charset="utf-8"><title>Signed out</title></head><body><h1>Signed out of Apache</h1></body></html>\n',
    },
    config: `
# The two types this site serves are named here; no system-wide mime.types is read.
TypesConfig "{{root}}/mime.types"
AddType text/html .shtml .html
AddOutputFilter INCLUDES .shtml
OIDCProviderMetadataURL ${options.metadataUrl}
OIDCClientID ${options.clientId}
OIDCClientSecret ${options.clientSecret}
OIDCRedirectURI http://127.0.0.1:{{port}}${oidcApachePaths.redirectUri}
OIDCCryptoPassphrase ${randomUUID()}
OIDCScope "${options.scope ?? 'openid profile email'}"
OIDCRemoteUserClaim preferred_username
<Directory "{{root}}/htdocs/protected">
  Options +Includes
</Directory>
<Location /protected/>
  AuthType openid-connect
  Require valid-user
</Location>
`,
  });
}

/** Debian's script that makes a service provider's key, certificate and metadata for mod_auth_mellon. */
export const mellonCreateMetadata = '/usr/sbin/mellon_create_metadata';

/** Where the protected page, the module's endpoints and the signed-out page live on a {@link startMellonApache} server. */
export const mellonApachePaths = {
  protectedPage: '/protected/index.shtml',
  endpoint: '/mellon',
  metadata: '/mellon/metadata',
  acs: '/mellon/postResponse',
  logout: '/mellon/logout',
  signedOut: '/signed-out.html',
} as const;

export interface MellonServiceProvider {
  /** The service provider's entity ID: `http://127.0.0.1:{port}/mellon/metadata`. */
  readonly entityId: string;
  /** The SP metadata `mellon_create_metadata` wrote (ACS, SingleLogoutService, signing and encryption certificate). */
  readonly metadata: string;
  readonly privateKeyPem: string;
  readonly certificatePem: string;
}

/**
 * A service provider for mod_auth_mellon on `port`, made as its documentation says: Debian's
 * `mellon_create_metadata ENTITY-ID ENDPOINT-URL`, which runs openssl for a key pair and writes
 * the SP metadata that is then given to the IdP (and to mellon itself).
 */
export function createMellonServiceProvider(port: number): MellonServiceProvider {
  requireApache(['auth_mellon']);
  if (!existsSync(mellonCreateMetadata)) {
    throw new Error(`${mellonCreateMetadata} is missing: install it with \`apt-get install -y libapache2-mod-auth-mellon\``);
  }
  const site = `http://127.0.0.1:${port}`;
  const entityId = `${site}${mellonApachePaths.metadata}`;
  const dir = mkdtempSync(join(tmpdir(), 'lanyard-mellon-sp-'));
  try {
    try {
      execFileSync(mellonCreateMetadata, [entityId, `${site}${mellonApachePaths.endpoint}`], { cwd: dir, stdio: 'pipe' });
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new Error(`${mellonCreateMetadata} failed (it needs bash and openssl): ${(error as Error).message}\n${stderr}`);
    }
    const written = readdirSync(dir);
    const read = (suffix: string) => {
      const name = written.find((file) => file.endsWith(suffix));
      if (!name) throw new Error(`${mellonCreateMetadata} wrote no *${suffix} file (it wrote: ${written.join(', ')})`);
      return readFileSync(join(dir, name), 'utf8');
    };
    return { entityId, metadata: read('.xml'), privateKeyPem: read('.key'), certificatePem: read('.cert') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface MellonApacheOptions {
  /** The port the service provider was made for. */
  readonly port: number;
  readonly serviceProvider: MellonServiceProvider;
  /** The IdP's SAML metadata (Lanyard's `/app/{appId}/sso/saml/metadata`). */
  readonly idpMetadata: string;
  /** Attributes to show on the protected page, as `MELLON_{name}`. */
  readonly attributes?: readonly string[];
}

/**
 * Apache with mod_auth_mellon as a SAML 2.0 service provider: the module's endpoints are under
 * `/mellon` (ACS `postResponse`, `logout`, `metadata`), everything under `/protected/` needs a
 * SAML sign-in, and the protected page is a server-side include that shows the NameID, the IdP,
 * the attributes the module passes on (`MELLON_*`) and the REMOTE_USER it sets. The module's
 * cookies are `Secure` (`MellonSecureCookie On`; browsers accept that on loopback http): its
 * cookie test is `SameSite=None`, which Chromium drops unless Secure, and without it the IdP's
 * cross-site POST to the ACS arrives without the cookie ("User has disabled cookies").
 */
export function startMellonApache(options: MellonApacheOptions): Promise<TestApache> {
  const attributes = options.attributes ?? ['email'];
  return startApache({
    port: options.port,
    modules: ['auth_mellon', 'authn_core', 'authz_user', 'include', 'mime'],
    files: {
      'htdocs/protected/index.shtml': `<!doctype html>
<html><head><meta charset="utf-8"><title>Protected by mod_auth_mellon</title></head>
<body><h1>Protected by mod_auth_mellon</h1>
<dl>
<dt>NameID</dt><dd id="name_id"><!--#echo var="MELLON_NAME_ID" --></dd>
<dt>IdP</dt><dd id="idp"><!--#echo var="MELLON_IDP" --></dd>
${attributes.map((a) => `<dt>${a}</dt><dd id="attr_${a}"><!--#echo var="MELLON_${a}" --></dd>`).join('\n')}
<dt>REMOTE_USER</dt><dd id="remote_user"><!--#echo var="REMOTE_USER" --></dd>
</dl>
<p><a id="logout" href="${mellonApachePaths.logout}?ReturnTo=${encodeURIComponent(mellonApachePaths.signedOut)}">Sign out</a></p>
</body></html>
`,
      'mime.types': '',
      'htdocs/signed-out.html': '<!doctype html><html><head><meta charset="utf-8"><title>Signed out</title></head><body><h1>Signed out of Apache</h1></body></html>\n',
      'mellon/sp-metadata.xml': options.serviceProvider.metadata,
      'mellon/sp-cert.pem': options.serviceProvider.certificatePem,
      'mellon/idp-metadata.xml': options.idpMetadata,
    },
    privateFiles: { 'mellon/sp-key.pem': options.serviceProvider.privateKeyPem },
    config: `
TypesConfig "{{root}}/mime.types"
AddType text/html .shtml .html
AddOutputFilter INCLUDES .shtml
MellonCacheSize 20
MellonLockFile "{{root}}/run/mellon.lock"
<Directory "{{root}}/htdocs/protected">
  Options +Includes
</Directory>
<Location />
  MellonEnable info
  MellonEndpointPath ${mellonApachePaths.endpoint}
  MellonSPMetadataFile "{{root}}/mellon/sp-metadata.xml"
  MellonSPPrivateKeyFile "{{root}}/mellon/sp-key.pem"
  MellonSPCertFile "{{root}}/mellon/sp-cert.pem"
  MellonIdPMetadataFile "{{root}}/mellon/idp-metadata.xml"
  MellonIdP IDP
  MellonSecureCookie On
</Location>
<Location /protected/>
  AuthType Mellon
  MellonEnable auth
  Require valid-user
</Location>
`,
  });
}
