/**
 * Lanyard's settings: one zod schema, read once from the environment at start-up and frozen.
 * Each setting's `.describe()` is its documentation (the README table is generated from it).
 */
import { z } from 'zod';

const portProblem = 'must be a port number from 1 to 65535';
// Digits only: `z.coerce.number()` would report "abc" as "expected number, received NaN" and accept 0x1F90 or 1e3.
const port = z.string().trim().regex(/^\d{1,5}$/, portProblem).transform(Number)
  .pipe(z.number().int().min(1, portProblem).max(65535, portProblem));

const httpUrl = z.string().trim().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && (url.pathname === '/' || url.pathname === '')
      && !url.search && !url.hash && !url.username;
  } catch {
    return false;
  }
}, 'must be an http:// or https:// URL with no path, query or credentials, e.g. https://id.example.com');

const postgresUrl = z.string().trim().refine((value) => /^postgres(ql)?:\/\/.+/.test(value),
  'must be a postgres:// or postgresql:// connection URL');

const redisUrl = z.string().trim().refine((value) => /^rediss?:\/\/.+/.test(value),
  'must be a redis:// or rediss:// URL');

const masterKey = z.string().trim().refine((value) => decodeMasterKey(value) !== undefined,
  'must be 32 random bytes as 64 hex characters or 43 base64url characters (generate one with `openssl rand -hex 32`)');

const email = z.string().trim().email('must be an email address');

const password = z.string().min(12, 'must be at least 12 characters long').max(256, 'must be at most 256 characters long');

const apiToken = z.string().trim().regex(/^[A-Za-z0-9_-]{32,128}$/,
  'must be 32 to 128 characters of letters, digits, "-" and "_"');

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const logLevel = z.enum(logLevels, `must be one of ${logLevels.join(', ')}`);

/** Environment variables Lanyard reads, with their documentation. */
/** A positive whole number of attempts per minute, given as text in the environment. */
const perMinute = (fallback: string) => z.string().trim().regex(/^\d{1,6}$/, 'must be a whole number of attempts').default(fallback)
  .transform(Number).pipe(z.number().int().min(1, 'must be at least 1'));

export const envSchema = z.object({
  PORT: port.default(8080).describe('Listen port.'),
  LANYARD_HOST: z.string().trim().min(1, 'must not be blank').default('127.0.0.1')
    .describe('Listen address. Loopback by default; set 0.0.0.0 or :: behind a load balancer or in a container.'),
  LANYARD_BASE_URL: httpUrl.optional()
    .describe('Public URL of the first org; other orgs are subdomains of its host. Default http://localhost:$PORT.'),
  LANYARD_DATA_DIR: z.string().trim().min(1, 'must not be blank').default('./data')
    .describe('Directory of the embedded database, its backups and the generated master key.'),
  DATABASE_URL: postgresUrl.optional().describe('postgres://… switches the store from embedded SQLite to PostgreSQL.'),
  REDIS_URL: redisUrl.optional().describe('redis://… shares ephemeral state (rate-limit counters) between several nodes.'),
  LANYARD_MASTER_KEY: masterKey.optional()
    .describe('Key-encryption key for signing keys, client secrets and the vault. Generated into the data directory when unset.'),
  LANYARD_ADMIN_EMAIL: email.optional().describe('First super-admin\'s email and login; applied only when the store is empty.'),
  LANYARD_ADMIN_PASSWORD: password.optional().describe('First super-admin\'s password; generated and printed once when unset.'),
  LANYARD_ADMIN_TOKEN: apiToken.optional().describe('First API token (SSWS); generated and printed once when unset.'),
  LANYARD_LOG_LEVEL: logLevel.default('info').describe('Log level of the JSON logs on standard output.'),
  LANYARD_ALLOW_PRIVATE_NETWORK: z.enum(['true', 'false'], 'must be true or false').default('false')
    .describe('true lets Lanyard call apps on loopback and private addresses (back-channel logout, client key sets, integration checks); refused by default against server-side request forgery.'),
  LANYARD_PROVISIONING_LEASE_SECONDS: z.string().trim().regex(/^\d{1,4}$/, 'must be a whole number of seconds').default('60')
    .transform(Number).pipe(z.number().int().min(1, 'must be at least 1').max(3600, 'must be at most 3600'))
    .describe('How long a node holds a provisioning task it claimed; a crashed node\'s tasks run again after it.'),
  LANYARD_PROVISIONING_RETRY_MS: z.string().trim().regex(/^\d{1,7}$/, 'must be a whole number of milliseconds').default('1000')
    .transform(Number).pipe(z.number().int().min(10, 'must be at least 10').max(600000, 'must be at most 600000'))
    .describe('The first wait before a failed provisioning request is tried again; each retry doubles it, with jitter.'),
  LANYARD_TRUST_PROXY: z.enum(['true', 'false'], 'must be true or false').default('false')
    .describe('true when Lanyard runs behind a reverse proxy: the client address is the last one the proxy adds to X-Forwarded-For, and https is read from X-Forwarded-Proto.'),
  LANYARD_THROTTLE_ACCOUNT_PER_MINUTE: perMinute('10')
    .describe('Sign-in attempts allowed per account (login name) per minute, on the pages and /api/v1/authn; more get 429 with Retry-After.'),
  LANYARD_THROTTLE_FACTOR_PER_MINUTE: perMinute('5')
    .describe('MFA verification attempts allowed per user per minute; more get 429 with Retry-After.'),
  LANYARD_THROTTLE_IP_PER_MINUTE: perMinute('100')
    .describe('Sign-in and MFA verification attempts allowed per client IP address per minute.'),
  LANYARD_TRUSTED_CA_FILE: z.string().trim().min(1, 'must not be blank').optional()
    .describe('A PEM file of certificate authorities trusted, besides the system\'s, when the integration checks call vendors\' apps.'),
});

export type Env = z.infer<typeof envSchema>;

/** Settings after validation and derivation: what the rest of Lanyard sees. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly baseUrl: URL;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly redisUrl: string | undefined;
  readonly masterKey: Buffer | undefined;
  readonly admin: {
    readonly email: string | undefined;
    readonly password: string | undefined;
    readonly token: string | undefined;
  };
  readonly logLevel: z.infer<typeof logLevel>;
  /** Whether the OpenID Connect engine may call loopback and private-network addresses. */
  readonly allowPrivateNetwork: boolean;
  /** Extra certificate authorities (PEM) for calls to vendors' apps. */
  readonly trustedCa: string | undefined;
  readonly provisioning: { readonly leaseMs: number; readonly baseBackoffMs: number };
  /** Attempts per minute before sign-in and MFA verification are throttled. */
  readonly throttle: ThrottleLimits;
  /** Whether X-Forwarded-For/-Proto come from a trusted reverse proxy. */
  readonly trustProxy: boolean;
}

export interface ThrottleLimits {
  readonly accountPerMinute: number;
  readonly factorPerMinute: number;
  readonly ipPerMinute: number;
}

/** Decodes a 32-byte key given as hex or base64url; undefined when it is neither. */
export function decodeMasterKey(value: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9_-]{43}=?$/.test(value)) {
    const key = Buffer.from(value, 'base64url');
    return key.length === 32 ? key : undefined;
  }
  return undefined;
}
