import path from 'node:path';
import { z } from 'zod';
import { MAX_TIMER_MS, parseDurationMs } from './domain/duration.ts';
import { ValidationError } from './domain/errors.ts';
import type { BlobStorageConfig } from './records/create-blob-storage.ts';

/**
 * A duration setting (`30s`, `5m`) between `min` and `max` milliseconds. Every duration setting goes
 * through here, and none may pass `MAX_TIMER_MS`: a timer set past it fires after 1 ms, so an
 * interval of `1000d` would run continuously. Such a value is refused at start with its name.
 */
function duration(fallback: string, min: number, max: number = MAX_TIMER_MS) {
  const upper = Math.min(max, MAX_TIMER_MS);
  return z
    .string()
    .default(fallback)
    .refine(
      (s) => {
        const ms = parseDurationMs(s);
        return ms !== undefined && ms >= min && ms <= upper;
      },
      `must be a duration from ${describeMs(min)} to ${describeMs(upper)}, such as ${fallback}`,
    );
}

/** `0ms`, `1s`, `1m`, `24h`, and the timer bound as what it is. */
function describeMs(ms: number): string {
  if (ms === MAX_TIMER_MS) return '24d 20h 31m 23s (2^31-1 ms, the longest a timer holds)';
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms > 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** S3 accepts up to 7 days; evidence links should not outlive the session that asked for them by much. */
const MAX_URL_TTL_MS = 3_600_000;

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
  RUNLEDGER_JWT_TTL: duration('12h', 60_000),
  RUNLEDGER_SESSION_TTL: duration('12h', 60_000),
  RUNLEDGER_TRUST_PROXY: z
    .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  RUNLEDGER_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  RUNLEDGER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  RUNLEDGER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  RUNLEDGER_LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  RUNLEDGER_LOGIN_LOCKOUT: duration('15m', 0),
  RUNLEDGER_AUDIT_SIGNING_KEY: z.string().includes('PRIVATE KEY', { message: 'must be an Ed25519 private key in PEM' }).optional(),
  RUNLEDGER_AUDIT_CHECKPOINT_INTERVAL: duration('1h', 1000),
  RUNLEDGER_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(36500).default(30),
  RUNLEDGER_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36500).default(365),
  RUNLEDGER_RECORD_RETENTION_DAYS: z.coerce.number().int().min(1).max(36500).optional(),
  RUNLEDGER_TABLE_SIZE_WARNING_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(1024 ** 3),
  RUNLEDGER_MAX_CONCURRENT_TASKS: z.coerce.number().int().min(1).max(1024).default(16),
  RUNLEDGER_WRITE_TRANSACTIONS: z.coerce.number().int().min(1).max(64).default(2),
  RUNLEDGER_SECRET_KEY: z.string().min(1).optional(),
  RUNLEDGER_LEASE_DURATION: duration('30s', 1000, 86_400_000),
  RUNLEDGER_DRAIN_TIMEOUT: duration('30s', 0, 86_400_000),
  RUNLEDGER_WORKER_POLL_INTERVAL: duration('1s', 10, 3_600_000),
  RUNLEDGER_PLUGIN_DIR: z.string().optional(),
  RUNLEDGER_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  RUNLEDGER_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
  ATTACHMENT_STORAGE_TYPE: z.enum(['local', 's3']).default('local'),
  ATTACHMENT_STORAGE_PATH: z.string().min(1).optional(),
  S3_BUCKET: z.string().min(1).optional(),
  S3_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  ATTACHMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(25 * 1024 * 1024),
  /** 0 turns the quota off. */
  ATTACHMENT_USER_QUOTA_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(5 * 1024 ** 3),
  ATTACHMENT_DELETE_GRACE_DAYS: z.coerce.number().int().min(0).max(36500).default(7),
  // A pre-signed URL cannot be revoked: once issued it works for anyone who holds it until it expires, so keep it short.
  ATTACHMENT_URL_TTL: duration('5m', 1000, MAX_URL_TTL_MS),
});

export interface Config {
  dataDir: string;
  databaseUrl: string | undefined;
  host: string;
  port: number;
  adminPassword: string | undefined;
  jwtSecret: string | undefined;
  jwtTtl: string;
  /** How long a browser session lasts after sign-in. */
  sessionTtlMs: number;
  /** Believe `X-Forwarded-Proto`/`-For` from a reverse proxy (a session cookie over a TLS proxy is then `Secure`). */
  trustProxy: boolean;
  loginMaxFailures: number;
  auditSigningKey: string | undefined;
  logRetentionDays: number;
  auditRetentionDays: number;
  /** Ended executions older than this are deleted (softly; evidence purged after the grace period); undefined keeps them forever. */
  recordRetentionDays: number | undefined;
  auditCheckpointIntervalMs: number;
  /** A warning is logged when `execution_logs` or `audit_events` grows past this (1 GiB). */
  tableSizeWarningBytes: number;
  loginLockoutMs: number;
  maxConcurrentTasks: number;
  /** Group-commit transactions a process has in flight at once on PostgreSQL (SQLite has one writer). */
  writeTransactions: number;
  /** Base64 of 32 bytes: seals secret inputs in the store; the same on every node. Absent: a key file in the data directory. */
  secretKey: string | undefined;
  /** How long a worker's claim on a running attempt lasts without a heartbeat. */
  leaseMs: number;
  /** How long a stopping worker lets running attempts finish before it hands them back. */
  drainTimeoutMs: number;
  /** Longest wait between a worker's looks for work when no wake-up comes. */
  workerPollMs: number;
  pluginDirs: string[];
  bodyLimitBytes: number;
  /** The bearer token of `GET /metrics` for a Prometheus scraper. */
  metricsToken: string | undefined;
  /** Where `/metrics` is also served, without a token, on a listener of its own (serve and worker); unset: nowhere else. */
  metricsListen: { host: string; port: number } | undefined;
  logLevel: z.infer<typeof schema>['RUNLEDGER_LOG_LEVEL'];
  attachments: AttachmentConfig;
}

/** Evidence files: where they are stored and the limits on them (docs/storage.md). */
export interface AttachmentConfig {
  storage: BlobStorageConfig;
  /** Largest single upload. */
  maxBytes: number;
  /** Bytes one person may have stored (not yet purged); 0 = no quota. */
  userQuotaBytes: number;
  /** Days between deleting an attachment (or its execution) and removing its bytes from storage. */
  deleteGraceDays: number;
  /** Lifetime of a pre-signed download URL. */
  urlTtlSeconds: number;
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
  const storage = attachmentStorageOf(e, dataDir);
  return {
    dataDir,
    databaseUrl: e.RUNLEDGER_DATABASE_URL,
    host: e.RUNLEDGER_HOST,
    port: e.RUNLEDGER_PORT,
    adminPassword: e.RUNLEDGER_ADMIN_PASSWORD,
    jwtSecret: e.RUNLEDGER_JWT_SECRET,
    jwtTtl: e.RUNLEDGER_JWT_TTL,
    sessionTtlMs: parseDurationMs(e.RUNLEDGER_SESSION_TTL)!,
    trustProxy: e.RUNLEDGER_TRUST_PROXY,
    metricsToken: e.RUNLEDGER_METRICS_TOKEN,
    metricsListen: e.RUNLEDGER_METRICS_PORT === undefined ? undefined : { host: e.RUNLEDGER_METRICS_HOST, port: e.RUNLEDGER_METRICS_PORT },
    loginMaxFailures: e.RUNLEDGER_LOGIN_MAX_FAILURES,
    auditSigningKey: e.RUNLEDGER_AUDIT_SIGNING_KEY,
    logRetentionDays: e.RUNLEDGER_LOG_RETENTION_DAYS,
    auditRetentionDays: e.RUNLEDGER_AUDIT_RETENTION_DAYS,
    recordRetentionDays: e.RUNLEDGER_RECORD_RETENTION_DAYS,
    auditCheckpointIntervalMs: parseDurationMs(e.RUNLEDGER_AUDIT_CHECKPOINT_INTERVAL)!,
    tableSizeWarningBytes: e.RUNLEDGER_TABLE_SIZE_WARNING_BYTES,
    loginLockoutMs: parseDurationMs(e.RUNLEDGER_LOGIN_LOCKOUT)!,
    maxConcurrentTasks: e.RUNLEDGER_MAX_CONCURRENT_TASKS,
    writeTransactions: e.RUNLEDGER_WRITE_TRANSACTIONS,
    secretKey: e.RUNLEDGER_SECRET_KEY,
    leaseMs: parseDurationMs(e.RUNLEDGER_LEASE_DURATION)!,
    drainTimeoutMs: parseDurationMs(e.RUNLEDGER_DRAIN_TIMEOUT)!,
    workerPollMs: parseDurationMs(e.RUNLEDGER_WORKER_POLL_INTERVAL)!,
    pluginDirs: e.RUNLEDGER_PLUGIN_DIR
      ? e.RUNLEDGER_PLUGIN_DIR.split(path.delimiter).map((d) => path.resolve(d))
      : [path.join(dataDir, 'plugins')],
    bodyLimitBytes: e.RUNLEDGER_BODY_LIMIT_BYTES,
    logLevel: e.RUNLEDGER_LOG_LEVEL,
    attachments: {
      storage,
      maxBytes: e.ATTACHMENT_MAX_BYTES,
      userQuotaBytes: e.ATTACHMENT_USER_QUOTA_BYTES,
      deleteGraceDays: e.ATTACHMENT_DELETE_GRACE_DAYS,
      urlTtlSeconds: Math.round(parseDurationMs(e.ATTACHMENT_URL_TTL)! / 1000),
    },
    ...Object.fromEntries(Object.entries(overrides).filter(([k, v]) => v !== undefined && k !== 'dataDir')),
  };
}

/** The storage backend; S3 settings that only make sense together are checked here, each named. */
function attachmentStorageOf(e: z.infer<typeof schema>, dataDir: string): BlobStorageConfig {
  if (e.ATTACHMENT_STORAGE_TYPE === 'local') {
    // Relative paths are relative to the working directory, as RUNLEDGER_DATA_DIR is.
    return { type: 'local', path: e.ATTACHMENT_STORAGE_PATH ? path.resolve(e.ATTACHMENT_STORAGE_PATH) : path.join(dataDir, 'attachments') };
  }
  const problems: string[] = [];
  if (e.S3_BUCKET === undefined) problems.push('S3_BUCKET: required when ATTACHMENT_STORAGE_TYPE=s3');
  if ((e.S3_ACCESS_KEY_ID === undefined) !== (e.S3_SECRET_ACCESS_KEY === undefined)) {
    const missing = e.S3_ACCESS_KEY_ID === undefined ? 'S3_ACCESS_KEY_ID' : 'S3_SECRET_ACCESS_KEY';
    problems.push(`${missing}: required when the other S3 key is set (or leave both unset for the default AWS credentials)`);
  }
  if (problems.length > 0) throw new ValidationError(`invalid configuration: ${problems.join('; ')}`, { problems });
  return {
    type: 's3',
    bucket: e.S3_BUCKET!,
    region: e.S3_REGION,
    ...(e.S3_ENDPOINT === undefined ? {} : { endpoint: e.S3_ENDPOINT }),
    ...(e.S3_ACCESS_KEY_ID === undefined ? {} : { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY! }),
  };
}
