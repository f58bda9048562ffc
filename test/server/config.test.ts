/** `FACTORY_*` configuration: secure defaults, and refusals that name the variable. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { loadAuditConfig } from '../../server/audit/audit.plugin.ts';
import { loadResourcesConfig } from '../../server/resources/resources.config.ts';

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('defaults to the locked-down choices', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8443,
      tls: 'on',
      debug: false,
      demoReadOnly: false,
      prod: false,
      corsOrigins: [],
      trustedHosts: [],
      maxBodyBytes: 1024 * 1024,
      databaseUrl: undefined,
      bootstrapEmail: 'admin@localhost',
      devBootstrapPassword: undefined,
      scryptLog2N: 15,
    });
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it('parses lists, flags and numbers', () => {
    const config = loadConfig({
      FACTORY_CORS_ORIGINS: 'https://a.example, https://b.example:8443',
      FACTORY_TRUSTED_HOSTS: 'API.example.com,*.example.org',
      FACTORY_DEBUG: 'yes',
      FACTORY_PORT: '9443',
      FACTORY_TLS: 'proxy',
      FACTORY_TRUSTED_PROXIES: '10.0.0.0/8',
    });
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example:8443']);
    expect(config.trustedHosts).toEqual(['api.example.com', '*.example.org']);
    expect(config.debug).toBe(true);
    expect(config.port).toBe(9443);
    expect(config.trustedProxies).toEqual(['10.0.0.0/8']);
  });

  it.each([
    [{ FACTORY_PORT: 'eighty' }, 'FACTORY_PORT'],
    [{ FACTORY_PORT: '70000' }, 'FACTORY_PORT'],
    [{ FACTORY_TLS: 'maybe' }, 'FACTORY_TLS'],
    [{ FACTORY_DEBUG: 'perhaps' }, 'FACTORY_DEBUG'],
    [{ FACTORY_MAX_BODY: '-1' }, 'FACTORY_MAX_BODY'],
    [{ FACTORY_CORS_ORIGINS: 'not a url' }, 'FACTORY_CORS_ORIGINS'],
    [{ FACTORY_CORS_ORIGINS: '*' }, 'FACTORY_CORS_ORIGINS'],
    [{ FACTORY_TRUSTED_HOSTS: 'bad host/path' }, 'FACTORY_TRUSTED_HOSTS'],
    [{ FACTORY_DATABASE_URL: 'mysql://x' }, 'FACTORY_DATABASE_URL'],
    [{ FACTORY_DEV_BOOTSTRAP_PASSWORD: 'short' }, 'FACTORY_DEV_BOOTSTRAP_PASSWORD'],
    [{ FACTORY_TLS_CERT: '/tmp/cert.pem' }, 'FACTORY_TLS_KEY'],
    [{ FACTORY_SCRYPT_LOG2N: '10' }, 'FACTORY_SCRYPT_LOG2N'],
    [{ FACTORY_LOG_LEVEL: 'loud' }, 'FACTORY_LOG_LEVEL'],
  ])('refuses %j naming %s', (env, variable) => {
    const error = refusal(env);
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}:`)).toBe(true);
  });

  it('allows CORS * only together with debug', () => {
    expect(loadConfig({ FACTORY_CORS_ORIGINS: '*', FACTORY_DEBUG: '1' }).corsOrigins).toEqual(['*']);
  });
});

describe('the other settings read through parseEnv', () => {
  it('resources: an empty variable means the default; a bad one is refused by name', () => {
    expect(loadResourcesConfig({ FACTORY_LEASE_DAYS: '' }).leaseDays).toBe(30);
    expect(loadResourcesConfig({ FACTORY_LEASE_DAYS: '7' }).leaseDays).toBe(7);
    expect(() => loadResourcesConfig({ FACTORY_MAX_MACHINES_PER_USER: '0' })).toThrow(
      expect.objectContaining({ variable: 'FACTORY_MAX_MACHINES_PER_USER' }),
    );
  });

  it('audit: defaults, and a refusal that names the variable', () => {
    expect(loadAuditConfig({})).toMatchObject({
      FACTORY_AUDIT_CHECKPOINT_EVERY: 1000,
      FACTORY_AUDIT_CHECKPOINT_SECONDS: 60,
    });
    expect(() => loadAuditConfig({ FACTORY_AUDIT_CHECKPOINT_SECONDS: 'soon' })).toThrow(
      expect.objectContaining({ variable: 'FACTORY_AUDIT_CHECKPOINT_SECONDS' }),
    );
  });
});
