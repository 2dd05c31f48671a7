/**
 * A vendor's multi-tenant app, as the integration network's tests need one: an https server on
 * loopback (a self-signed certificate for 127.0.0.1, which Lanyard is told to trust) where each
 * customer tenant has a SAML service provider (`@node-saml/node-saml`) and an OpenID Connect
 * relying party (`openid-client`) under `/t/{tenant}/…`. A tenant is registered with the IdP
 * settings its customer's Lanyard app has; the app records every sign-in it accepts. Its SCIM 2.0
 * server is `scimmy` with its Express routers at `/scim/v2`, users kept in memory, bearer token
 * {@link scimToken}.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import * as client from 'openid-client';
import { createScimEndpoint, scimExpressApp } from './scim-server.ts';
import { requireCommand } from './certificates.ts';

export interface SamlTenant {
  readonly kind: 'saml';
  /** The IdP's SSO URL and signing certificate, from the customer's app metadata. */
  readonly ssoUrl: string;
  readonly certificate: string;
  readonly idpIssuer: string;
}

export interface OidcTenant {
  readonly kind: 'oidc';
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export const scimToken = 'vendor-scim-token-0123456789';

export interface VendorApp {
  readonly host: string;
  readonly url: string;
  /** PEM of the server's self-signed certificate, for LANYARD_TRUSTED_CA_FILE. */
  readonly caFile: string;
  readonly signIns: { tenant: string; subject: string }[];
  addTenant(name: string, tenant: SamlTenant | OidcTenant): void;
  /** Forgets a tenant: its sign-ins then fail, as when a vendor breaks something. */
  removeTenant(name: string): void;
  close(): Promise<void>;
}

/** A self-signed certificate for https on 127.0.0.1, made with openssl in `dir`. */
export function selfSignedFor127(dir: string): { key: string; cert: string; certPath: string } {
  requireCommand('openssl', ['version'], 'openssl');
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyPath, '-out', certPath], { stdio: 'pipe' });
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), certPath };
}

async function readBody(req: import('node:http').IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startVendorApp(): Promise<VendorApp> {
  const dir = mkdtempSync(join(tmpdir(), 'lanyard-vendor-app-'));
  const tls = selfSignedFor127(dir);
  const tenants = new Map<string, SamlTenant | OidcTenant>();
  const pending = new Map<string, { verifier: string; config: client.Configuration }>();
  const signIns: { tenant: string; subject: string }[] = [];
  let base = '';

  const samlFor = (name: string, tenant: SamlTenant) => new SAML({
    entryPoint: tenant.ssoUrl, issuer: `${base}/t/${name}`, audience: `${base}/t/${name}`, callbackUrl: `${base}/t/${name}/saml/acs`,
    idpCert: tenant.certificate, idpIssuer: tenant.idpIssuer, wantAssertionsSigned: true, wantAuthnResponseSigned: true,
    validateInResponseTo: ValidateInResponseTo.never,
  });

  const scim = scimExpressApp(createScimEndpoint({ token: scimToken }));
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    if (req.url?.startsWith('/scim/v2/')) {
      scim(req, res);
      return;
    }
    void (async () => {
      const url = new URL(req.url ?? '/', base);
      const match = /^\/t\/([a-z0-9-]+)\/(login|saml\/acs|callback)$/.exec(url.pathname);
      const tenant = match ? tenants.get(match[1]!) : undefined;
      const send = (status: number, text: string, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
        res.end(text);
      };
      // A plain form sign-in, for secure web authentication (SWA).
      if (url.pathname === '/swa/login') {
        return send(200, '<form method="post" action="/swa/session"><input name="user" type="text"><input name="pass" type="password"><button id="go">Sign in</button></form>');
      }
      if (!match || !tenant) return send(404, '<h1>No such tenant</h1>');
      const [, name, action] = match as unknown as [string, string, string];
      if (tenant.kind === 'saml' && action === 'saml/acs' && req.method === 'POST') {
        try {
          const { profile } = await samlFor(name, tenant).validatePostResponseAsync({ SAMLResponse: (await readBody(req)).get('SAMLResponse') ?? '' });
          signIns.push({ tenant: name, subject: profile!.nameID });
          return send(200, `<h1>Welcome, ${profile!.nameID}</h1>`);
        } catch (error) {
          return send(403, `<h1>Sign-in refused</h1><p>${(error as Error).message.replace(/</g, '&lt;')}</p>`);
        }
      }
      if (tenant.kind === 'saml' && action === 'login') {
        return send(302, '', { location: await samlFor(name, tenant).getAuthorizeUrlAsync('', undefined, {}) });
      }
      if (tenant.kind === 'oidc' && action === 'login') {
        const config = await client.discovery(new URL(tenant.issuer), tenant.clientId, tenant.clientSecret, client.ClientSecretBasic(tenant.clientSecret),
          { execute: [client.allowInsecureRequests] });
        const verifier = client.randomPKCECodeVerifier();
        const state = client.randomState();
        pending.set(state, { verifier, config });
        const target = client.buildAuthorizationUrl(config, {
          redirect_uri: `${base}/t/${name}/callback`, scope: 'openid email profile', state,
          code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
        });
        return send(302, '', { location: target.toString() });
      }
      if (tenant.kind === 'oidc' && action === 'callback') {
        const state = url.searchParams.get('state') ?? '';
        const started = pending.get(state);
        if (!started) return send(400, '<h1>Unknown sign-in</h1>');
        pending.delete(state);
        try {
          const tokens = await client.authorizationCodeGrant(started.config, url, { pkceCodeVerifier: started.verifier, expectedState: state });
          const claims = tokens.claims()!;
          signIns.push({ tenant: name, subject: String(claims.email ?? claims.sub) });
          return send(200, `<h1>Welcome, ${String(claims.sub)}</h1>`);
        } catch (error) {
          return send(403, `<h1>Sign-in refused</h1><p>${(error as Error).message.replace(/</g, '&lt;')}</p>`);
        }
      }
      return send(405, '<h1>Not here</h1>');
    })().catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  base = `https://127.0.0.1:${port}`;
  return {
    host: `127.0.0.1:${port}`,
    url: base,
    caFile: tls.certPath,
    signIns,
    addTenant: (name, tenant) => tenants.set(name, tenant),
    removeTenant: (name) => tenants.delete(name),
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
