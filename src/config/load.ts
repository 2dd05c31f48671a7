/** Reads and validates the settings once; a bad one stops start-up with one line naming it. */
import { readFileSync } from 'node:fs';
import { envSchema, decodeMasterKey, type Config } from './schema.ts';

/** A setting that is missing or wrong; its message is the one line printed at start-up. */
export class ConfigError extends Error {
  readonly setting: string;
  constructor(setting: string, problem: string) {
    super(`Configuration error: ${setting} ${problem}`);
    this.name = 'ConfigError';
    this.setting = setting;
  }
}

/**
 * Validates `env` (normally `process.env`) into a frozen {@link Config}.
 * Values of secret settings never appear in the error.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const relevant: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') relevant[key] = value;
  }
  const parsed = envSchema.safeParse(relevant);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const setting = String(issue.path[0] ?? 'configuration');
    throw new ConfigError(setting, issue.message);
  }
  const e = parsed.data;
  let trustedCa: string | undefined;
  if (e.LANYARD_TRUSTED_CA_FILE !== undefined) {
    try {
      trustedCa = readFileSync(e.LANYARD_TRUSTED_CA_FILE, 'utf8');
    } catch {
      throw new ConfigError('LANYARD_TRUSTED_CA_FILE', 'cannot be read');
    }
    if (!trustedCa.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError('LANYARD_TRUSTED_CA_FILE', 'holds no PEM certificate');
  }
  const baseUrl = new URL(e.LANYARD_BASE_URL ?? `http://localhost:${e.PORT}`);
  return Object.freeze({
    port: e.PORT,
    host: e.LANYARD_HOST,
    baseUrl,
    dataDir: e.LANYARD_DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    masterKey: e.LANYARD_MASTER_KEY === undefined ? undefined : decodeMasterKey(e.LANYARD_MASTER_KEY),
    admin: Object.freeze({
      email: e.LANYARD_ADMIN_EMAIL,
      password: e.LANYARD_ADMIN_PASSWORD,
      token: e.LANYARD_ADMIN_TOKEN,
    }),
    logLevel: e.LANYARD_LOG_LEVEL,
    allowPrivateNetwork: e.LANYARD_ALLOW_PRIVATE_NETWORK === 'true',
    trustedCa,
    provisioning: Object.freeze({ leaseMs: e.LANYARD_PROVISIONING_LEASE_SECONDS * 1000, baseBackoffMs: e.LANYARD_PROVISIONING_RETRY_MS }),
    trustProxy: e.LANYARD_TRUST_PROXY === 'true',
    throttle: Object.freeze({
      accountPerMinute: e.LANYARD_THROTTLE_ACCOUNT_PER_MINUTE,
      factorPerMinute: e.LANYARD_THROTTLE_FACTOR_PER_MINUTE,
      ipPerMinute: e.LANYARD_THROTTLE_IP_PER_MINUTE,
    }),
  });
}
