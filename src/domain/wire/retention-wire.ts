import { z } from 'zod';
import { instantWire } from './common-wire.ts';

export const retentionPolicyWire = z
  .object({
    logDays: z.number().int(),
    auditDays: z.number().int(),
    recordDays: z.number().int().nullable().optional(),
  })
  .meta({ id: 'RetentionPolicy' });

/** `GET /v1/admin/retention/stats`. */
export const retentionStatsWire = z
  .object({
    policy: retentionPolicyWire,
    tables: z.array(z.object({ table: z.string(), rows: z.number().int(), bytes: z.number().nullable() })),
    executionsByStatus: z.record(z.string(), z.number().int()),
    oldest: z.object({ execution: instantWire.nullable(), logLine: instantWire.nullable(), auditEvent: instantWire.nullable() }),
  })
  .meta({ id: 'RetentionStats' });

/** What a cleanup deleted (or, on a dry run, would delete); `before` is each cutoff. */
export const cleanupReportWire = z
  .object({
    dryRun: z.boolean(),
    logLines: z.object({ before: instantWire, deleted: z.number().int() }),
    audit: z.object({ before: instantWire, chains: z.number().int(), events: z.number().int() }),
    triggerFires: z.object({ before: instantWire, deleted: z.number().int() }),
  })
  .meta({ id: 'CleanupReport' });

export const healthWire = z.object({ status: z.string() }).meta({ id: 'Health' });
export const readinessWire = z
  .object({
    status: z.string(),
    store: z.string(),
    /** Why the server is not ready: the store's error code (`SQLITE_FULL`, `ENOSPC`, `57P01`, …) and message. */
    cause: z.string().optional(),
    detail: z.string().optional(),
    since: z.string().optional(),
  })
  .meta({ id: 'Readiness' });
