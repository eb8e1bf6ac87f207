import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv, databaseOptions, isLoopbackUrl } from '../../server/config.js';

describe('configuration from the environment', () => {
  it('takes defaults for everything unset', () => {
    const config = configFromEnv({});
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      pgPoolSize: 10,
      demo: true,
      publicUrl: 'http://localhost:3000',
    });
    expect(databaseOptions(config)).toEqual({ schema: undefined, poolSize: 10 });
  });

  it('reads the database schema and pool size for PostgreSQL', () => {
    const config = configFromEnv({
      DATABASE_URL: 'postgres://db/x',
      DATABASE_SCHEMA: 'minping',
      PG_POOL_SIZE: '25',
      HOST: '127.0.0.1',
    });
    expect(databaseOptions(config)).toEqual({ schema: 'minping', poolSize: 25 });
    expect(config.host).toBe('127.0.0.1');
  });

  it('names the variable that is wrong, without a stack trace to read', () => {
    expect(() => configFromEnv({ PG_POOL_SIZE: '0' })).toThrow(ConfigError);
    expect(() => configFromEnv({ PG_POOL_SIZE: '0' })).toThrow(/PG_POOL_SIZE/);
    expect(() => configFromEnv({ DATABASE_SCHEMA: 'Robert"; drop' })).toThrow(/DATABASE_SCHEMA/);
  });
});

describe('a PUBLIC_URL that only this machine can open', () => {
  it('is any loopback name or address, and nothing else', () => {
    for (const url of [
      'http://localhost:3000',
      'http://127.0.0.2',
      'http://[::1]:8080',
      'http://app.localhost',
      'http://0.0.0.0',
    ])
      expect(isLoopbackUrl(url), url).toBe(true);
    for (const url of ['https://pj.example.gov.cn', 'http://10.0.0.5:3000', 'http://localhost.example.cn'])
      expect(isLoopbackUrl(url), url).toBe(false);
  });
});
