/** loadConfig: defaults, derivations, master-key decoding, and one clear message per bad setting. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { decodeMasterKey, envSchema } from '../../src/config/schema.ts';

/** The ConfigError `env` produces; fails the test when it loads. */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected a configuration error for ${JSON.stringify(env)}`);
}

describe('defaults', () => {
  it('an empty environment gives loopback on 8080, ./data, SQLite, no Redis, a generated master key, info logs and the provisioning defaults', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      port: 8080,
      host: '127.0.0.1',
      baseUrl: new URL('http://localhost:8080'),
      dataDir: './data',
      databaseUrl: undefined,
      redisUrl: undefined,
      masterKey: undefined,
      admin: { email: undefined, password: undefined, token: undefined },
      logLevel: 'info',
      allowPrivateNetwork: false,
      trustedCa: undefined,
      provisioning: { leaseMs: 60_000, baseBackoffMs: 1000 },
      trustProxy: false,
      throttle: { accountPerMinute: 10, factorPerMinute: 5, ipPerMinute: 100 },
    });
    expect(config.baseUrl.origin).toBe('http://localhost:8080');
  });

  it('throttle limits are whole numbers of at least one; LANYARD_TRUST_PROXY is true or false', () => {
    expect(loadConfig({ LANYARD_THROTTLE_ACCOUNT_PER_MINUTE: '3', LANYARD_THROTTLE_IP_PER_MINUTE: '50', LANYARD_THROTTLE_FACTOR_PER_MINUTE: '2' }).throttle)
      .toEqual({ accountPerMinute: 3, ipPerMinute: 50, factorPerMinute: 2 });
    expect(() => loadConfig({ LANYARD_THROTTLE_ACCOUNT_PER_MINUTE: '0' })).toThrow('LANYARD_THROTTLE_ACCOUNT_PER_MINUTE must be at least 1');
    expect(() => loadConfig({ LANYARD_THROTTLE_IP_PER_MINUTE: 'lots' })).toThrow('LANYARD_THROTTLE_IP_PER_MINUTE must be a whole number of attempts');
    expect(loadConfig({ LANYARD_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(() => loadConfig({ LANYARD_TRUST_PROXY: 'yes' })).toThrow('LANYARD_TRUST_PROXY must be true or false');
  });

  it('LANYARD_ALLOW_PRIVATE_NETWORK is true or false', () => {
    expect(loadConfig({ LANYARD_ALLOW_PRIVATE_NETWORK: 'true' }).allowPrivateNetwork).toBe(true);
    expect(loadConfig({ LANYARD_ALLOW_PRIVATE_NETWORK: 'false' }).allowPrivateNetwork).toBe(false);
    expect(() => loadConfig({ LANYARD_ALLOW_PRIVATE_NETWORK: 'yes' })).toThrow('Configuration error: LANYARD_ALLOW_PRIVATE_NETWORK must be true or false');
  });

  it('the result is frozen, admin settings included', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.admin)).toBe(true);
    expect(() => { (config as { port: number }).port = 1; }).toThrow(TypeError);
  });

  it('empty values count as unset, and variables Lanyard does not read are ignored', () => {
    const config = loadConfig({ PORT: '', LANYARD_HOST: '', LANYARD_BASE_URL: '', DATABASE_URL: '', LANYARD_LOG_LEVEL: '', HOME: '/root', NODE_ENV: 'production', PORTS: 'x' });
    expect(config.port).toBe(8080);
    expect(config.host).toBe('127.0.0.1');
    expect(config.baseUrl.origin).toBe('http://localhost:8080');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.logLevel).toBe('info');
  });

  it('every setting the schema knows is documented', () => {
    for (const [name, schema] of Object.entries(envSchema.shape)) expect(schema.description, name).toMatch(/\S{3,}/);
  });
});

describe('derivations', () => {
  it('the base URL defaults to http://localhost:$PORT', () => {
    expect(loadConfig({ PORT: '9000' }).baseUrl.href).toBe('http://localhost:9000/');
    expect(loadConfig({ PORT: ' 443 ' }).port).toBe(443);
  });

  it('a given base URL wins over the port, and is normalised by URL', () => {
    const config = loadConfig({ PORT: '9000', LANYARD_BASE_URL: ' HTTPS://ID.Example.com/ ' });
    expect(config.port).toBe(9000);
    expect(config.baseUrl.origin).toBe('https://id.example.com');
    expect(loadConfig({ LANYARD_BASE_URL: 'https://id.example.com:8443' }).baseUrl.port).toBe('8443');
    expect(loadConfig({ LANYARD_BASE_URL: 'http://[::1]:8080' }).baseUrl.hostname).toBe('[::1]');
  });

  it('passes stores, Redis, admin settings and log level through', () => {
    const token = 'A'.repeat(20) + '_-b'.repeat(5);
    const config = loadConfig({
      DATABASE_URL: 'postgresql://lanyard:pw@db.internal:5432/lanyard',
      REDIS_URL: 'rediss://cache.internal:6380/2',
      LANYARD_HOST: '0.0.0.0',
      LANYARD_DATA_DIR: '/var/lib/lanyard',
      LANYARD_ADMIN_EMAIL: ' root@example.com ',
      LANYARD_ADMIN_PASSWORD: ' spaces count too ',
      LANYARD_ADMIN_TOKEN: token,
      LANYARD_LOG_LEVEL: 'silent',
    });
    expect(config.databaseUrl).toBe('postgresql://lanyard:pw@db.internal:5432/lanyard');
    expect(config.redisUrl).toBe('rediss://cache.internal:6380/2');
    expect(config.host).toBe('0.0.0.0');
    expect(config.dataDir).toBe('/var/lib/lanyard');
    expect(config.admin).toEqual({ email: 'root@example.com', password: ' spaces count too ', token });
    expect(config.logLevel).toBe('silent');
  });

  it('the master key is decoded from 64 hex characters (either case)', () => {
    const key = randomBytes(32);
    expect(loadConfig({ LANYARD_MASTER_KEY: key.toString('hex') }).masterKey).toEqual(key);
    expect(loadConfig({ LANYARD_MASTER_KEY: key.toString('hex').toUpperCase() }).masterKey).toEqual(key);
    expect(loadConfig({ LANYARD_MASTER_KEY: ` ${key.toString('hex')}\n` }).masterKey).toEqual(key);
  });

  it('the master key is decoded from 43 base64url characters, with or without its padding', () => {
    for (let i = 0; i < 20; i++) {
      const key = randomBytes(32);
      const encoded = key.toString('base64url');
      expect(encoded).toHaveLength(43);
      expect(loadConfig({ LANYARD_MASTER_KEY: encoded }).masterKey).toEqual(key);
      expect(loadConfig({ LANYARD_MASTER_KEY: `${encoded}=` }).masterKey).toEqual(key);
    }
  });

  it('decodeMasterKey accepts exactly 32 bytes and nothing else', () => {
    expect(decodeMasterKey('ab'.repeat(32))).toEqual(Buffer.alloc(32, 0xab));
    for (const bad of ['', 'ab'.repeat(31), 'ab'.repeat(33), 'zz'.repeat(32), Buffer.alloc(32, 0xfb).toString('base64'),
      randomBytes(31).toString('base64url'), randomBytes(33).toString('base64url'), `${'A'.repeat(42)}+`]) {
      expect(decodeMasterKey(bad), bad).toBeUndefined();
    }
  });
});

describe('one message per bad setting, naming it', () => {
  const cases: [string, string, string][] = [
    ['PORT', 'abc', 'must be a port number from 1 to 65535'],
    ['PORT', '0', 'must be a port number from 1 to 65535'],
    ['PORT', '65536', 'must be a port number from 1 to 65535'],
    ['PORT', '70000', 'must be a port number from 1 to 65535'],
    ['PORT', '-1', 'must be a port number from 1 to 65535'],
    ['PORT', '80.5', 'must be a port number from 1 to 65535'],
    ['PORT', '1e3', 'must be a port number from 1 to 65535'],
    ['PORT', '0x1F90', 'must be a port number from 1 to 65535'],
    ['LANYARD_HOST', '   ', 'must not be blank'],
    ['LANYARD_DATA_DIR', '  ', 'must not be blank'],
    ['LANYARD_BASE_URL', 'ftp://x', 'must be an http:// or https:// URL with no path, query or credentials, e.g. https://id.example.com'],
    ['LANYARD_BASE_URL', 'http://x/path', 'must be an http:// or https:// URL with no path, query or credentials, e.g. https://id.example.com'],
    ['LANYARD_BASE_URL', 'https://id.example.com?x=1', 'must be an http:// or https:// URL with no path, query or credentials, e.g. https://id.example.com'],
    ['LANYARD_BASE_URL', 'https://id.example.com/#top', 'must be an http:// or https:// URL with no path, query or credentials, e.g. https://id.example.com'],
    ['LANYARD_BASE_URL', 'https://admin@id.example.com', 'must be an http:// or https:// URL with no path, query or credentials, e.g. https://id.example.com'],
    ['LANYARD_BASE_URL', 'id.example.com', 'must be an http:// or https:// URL with no path, query or credentials, e.g. https://id.example.com'],
    ['DATABASE_URL', 'mysql://x', 'must be a postgres:// or postgresql:// connection URL'],
    ['DATABASE_URL', 'postgres://', 'must be a postgres:// or postgresql:// connection URL'],
    ['REDIS_URL', 'http://x', 'must be a redis:// or rediss:// URL'],
    ['LANYARD_MASTER_KEY', 'short', 'must be 32 random bytes as 64 hex characters or 43 base64url characters (generate one with `openssl rand -hex 32`)'],
    ['LANYARD_ADMIN_EMAIL', 'nope', 'must be an email address'],
    ['LANYARD_ADMIN_PASSWORD', 'short', 'must be at least 12 characters long'],
    ['LANYARD_ADMIN_PASSWORD', 'x'.repeat(257), 'must be at most 256 characters long'],
    ['LANYARD_ADMIN_TOKEN', 'too-short', 'must be 32 to 128 characters of letters, digits, "-" and "_"'],
    ['LANYARD_ADMIN_TOKEN', 'a'.repeat(129), 'must be 32 to 128 characters of letters, digits, "-" and "_"'],
    ['LANYARD_LOG_LEVEL', 'loud', 'must be one of fatal, error, warn, info, debug, trace, silent'],
    ['LANYARD_LOG_LEVEL', 'INFO', 'must be one of fatal, error, warn, info, debug, trace, silent'],
  ];

  it.each(cases)('%s=%j', (setting, value, problem) => {
    const error = configError({ [setting]: value });
    expect(error.setting).toBe(setting);
    expect(error.name).toBe('ConfigError');
    expect(error.message).toBe(`Configuration error: ${setting} ${problem}`);
    expect(error.message).not.toContain('\n');
  });

  it('never repeats the value of a secret setting', () => {
    const secrets: Record<string, string> = {
      LANYARD_MASTER_KEY: 'MasterSecret-7f3a9c',
      LANYARD_ADMIN_PASSWORD: 'PwSecret-91',
      LANYARD_ADMIN_TOKEN: 'TokenSecret!with*bad#chars-0123456789',
      DATABASE_URL: 'mysql://user:DbSecret-55@db',
      REDIS_URL: 'http://:RedisSecret-66@cache',
    };
    for (const [setting, value] of Object.entries(secrets)) {
      const error = configError({ [setting]: value });
      expect(error.setting).toBe(setting);
      expect(error.message).not.toContain(value);
      expect(error.message).not.toMatch(/Secret-|Secret!/);
    }
  });

  it('several bad settings give one message, for the first in the schema\'s order', () => {
    const error = configError({ LANYARD_LOG_LEVEL: 'loud', REDIS_URL: 'http://x', PORT: 'abc' });
    expect(error.setting).toBe('PORT');
    expect(error.message).toBe('Configuration error: PORT must be a port number from 1 to 65535');
  });
});
