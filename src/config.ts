import path from 'node:path';
import { z } from 'zod';
import { parseDurationMs } from './domain/duration.ts';
import { ValidationError } from './domain/errors.ts';

/**
 * Every setting in one place: its environment name, default and validation. Command-line flags
 * override the environment (see cli/commands/serve-command.ts).
 */
const schema = z.object({
  RUNLEDGER_DATA_DIR: z.string().min(1).default('./.runledger'),
  RUNLEDGER_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  RUNLEDGER_HOST: z.string().min(1).default('127.0.0.1'),
  RUNLEDGER_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  RUNLEDGER_ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  RUNLEDGER_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  RUNLEDGER_JWT_TTL: z.string().default('12h'),
  RUNLEDGER_LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  RUNLEDGER_LOGIN_LOCKOUT: z
    .string()
    .default('15m')
    .refine((s) => parseDurationMs(s) !== undefined, 'must be a duration such as 15m'),
  RUNLEDGER_AUDIT_SIGNING_KEY: z.string().includes('PRIVATE KEY', { message: 'must be an Ed25519 private key in PEM' }).optional(),
  RUNLEDGER_AUDIT_CHECKPOINT_INTERVAL: z
    .string()
    .default('1h')
    .refine((s) => parseDurationMs(s) !== undefined, 'must be a duration such as 1h'),
  RUNLEDGER_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(36500).default(30),
  RUNLEDGER_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36500).default(365),
  RUNLEDGER_TABLE_SIZE_WARNING_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(1024 ** 3),
  RUNLEDGER_MAX_CONCURRENT_TASKS: z.coerce.number().int().min(1).max(1024).default(16),
  RUNLEDGER_PLUGIN_DIR: z.string().optional(),
  RUNLEDGER_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  RUNLEDGER_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
});

export interface Config {
  dataDir: string;
  databaseUrl: string | undefined;
  host: string;
  port: number;
  adminPassword: string | undefined;
  jwtSecret: string | undefined;
  jwtTtl: string;
  loginMaxFailures: number;
  auditSigningKey: string | undefined;
  logRetentionDays: number;
  auditRetentionDays: number;
  auditCheckpointIntervalMs: number;
  /** A warning is logged when `execution_logs` or `audit_events` grows past this (1 GiB). */
  tableSizeWarningBytes: number;
  loginLockoutMs: number;
  maxConcurrentTasks: number;
  pluginDirs: string[];
  bodyLimitBytes: number;
  logLevel: z.infer<typeof schema>['RUNLEDGER_LOG_LEVEL'];
}

/** Reads the environment; a bad value fails start-up with the setting's name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ValidationError(`invalid configuration: ${problems.join('; ')}`, { problems });
  }
  const e = parsed.data;
  const dataDir = path.resolve(overrides.dataDir ?? e.RUNLEDGER_DATA_DIR);
  return {
    dataDir,
    databaseUrl: e.RUNLEDGER_DATABASE_URL,
    host: e.RUNLEDGER_HOST,
    port: e.RUNLEDGER_PORT,
    adminPassword: e.RUNLEDGER_ADMIN_PASSWORD,
    jwtSecret: e.RUNLEDGER_JWT_SECRET,
    jwtTtl: e.RUNLEDGER_JWT_TTL,
    loginMaxFailures: e.RUNLEDGER_LOGIN_MAX_FAILURES,
    auditSigningKey: e.RUNLEDGER_AUDIT_SIGNING_KEY,
    logRetentionDays: e.RUNLEDGER_LOG_RETENTION_DAYS,
    auditRetentionDays: e.RUNLEDGER_AUDIT_RETENTION_DAYS,
    auditCheckpointIntervalMs: parseDurationMs(e.RUNLEDGER_AUDIT_CHECKPOINT_INTERVAL)!,
    tableSizeWarningBytes: e.RUNLEDGER_TABLE_SIZE_WARNING_BYTES,
    loginLockoutMs: parseDurationMs(e.RUNLEDGER_LOGIN_LOCKOUT)!,
    maxConcurrentTasks: e.RUNLEDGER_MAX_CONCURRENT_TASKS,
    pluginDirs: e.RUNLEDGER_PLUGIN_DIR
      ? e.RUNLEDGER_PLUGIN_DIR.split(path.delimiter).map((d) => path.resolve(d))
      : [path.join(dataDir, 'plugins')],
    bodyLimitBytes: e.RUNLEDGER_BODY_LIMIT_BYTES,
    logLevel: e.RUNLEDGER_LOG_LEVEL,
    ...Object.fromEntries(Object.entries(overrides).filter(([k, v]) => v !== undefined && k !== 'dataDir')),
  };
}
