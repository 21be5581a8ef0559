import path from 'node:path';
import { expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { ValidationError } from '../src/domain/errors.ts';

it('has defaults that serve on 127.0.0.1:8080 from ./.runledger', () => {
  const config = loadConfig({});
  expect(config).toMatchObject({
    host: '127.0.0.1',
    port: 8080,
    databaseUrl: undefined,
    maxConcurrentTasks: 16,
    writeTransactions: 2,
    jwtTtl: '12h',
    logLevel: 'warn',
  });
  expect(config.dataDir).toBe(path.resolve('.runledger'));
  expect(config.pluginDirs).toEqual([path.join(path.resolve('.runledger'), 'plugins')]);
});

it('reads the environment, and flags override it', () => {
  const config = loadConfig(
    {
      RUNLEDGER_PORT: '9090',
      RUNLEDGER_DATABASE_URL: 'postgres://u@db/x',
      RUNLEDGER_PLUGIN_DIR: '/a:/b',
      RUNLEDGER_DATA_DIR: '/tmp/x',
      RUNLEDGER_HOST: '',
      RUNLEDGER_WRITE_TRANSACTIONS: '6',
    },
    { port: 0, host: undefined },
  );
  expect(config).toMatchObject({
    port: 0,
    host: '127.0.0.1',
    databaseUrl: 'postgres://u@db/x',
    pluginDirs: ['/a', '/b'],
    dataDir: '/tmp/x',
    writeTransactions: 6,
  });
});

it('names every bad setting', () => {
  let error: unknown;
  try {
    loadConfig({ RUNLEDGER_PORT: 'eighty', RUNLEDGER_DATABASE_URL: 'mysql://x', RUNLEDGER_ADMIN_PASSWORD: 'short' });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ValidationError);
  const message = (error as Error).message;
  expect(message).toContain('RUNLEDGER_PORT');
  expect(message).toContain('RUNLEDGER_DATABASE_URL: must be a postgres:// URL');
  expect(message).toContain('RUNLEDGER_ADMIN_PASSWORD: must be at least 8 characters');
});

it('reads the browser session lifetime and whether to trust a proxy, and refuses bad values by name', () => {
  expect(loadConfig({})).toMatchObject({ sessionTtlMs: 12 * 3_600_000, trustProxy: false });
  expect(loadConfig({ RUNLEDGER_SESSION_TTL: '30m', RUNLEDGER_TRUST_PROXY: 'true' })).toMatchObject({
    sessionTtlMs: 1_800_000,
    trustProxy: true,
  });
  expect(() => loadConfig({ RUNLEDGER_SESSION_TTL: '5s' })).toThrow(/RUNLEDGER_SESSION_TTL: must be a duration from 1m to/);
  expect(() => loadConfig({ RUNLEDGER_TRUST_PROXY: 'yes' })).toThrow(ValidationError);
});
