import type { Kysely } from 'kysely';
import { nextDueAfter } from '../domain/schedule-times.ts';
import type { Database } from '../store/database-schema.ts';
import { listFires, type FireStatus } from '../store/trigger-fire-repository.ts';
import { listSchedules } from '../store/trigger-schedule-repository.ts';
import { NEVER_DUE } from './trigger-sync.ts';

export interface ScheduleView {
  workflowId: string;
  triggerId: string;
  cron: string;
  timezone: string;
  nextRuns: string[];
  lastFire: { dueAt: string | null; status: FireStatus; reason: string | null; executionId: string | null; recordedAt: string } | null;
}

/** Every schedule (or one workflow's), soonest first: its next `count` due times and its last fire. */
export async function listScheduleViews(db: Kysely<Database>, workflowId?: string, count = 3): Promise<ScheduleView[]> {
  const views: ScheduleView[] = [];
  for (const row of await listSchedules(db, workflowId)) {
    const nextRuns: string[] = [];
    if (row.nextDueAt !== NEVER_DUE) {
      let next: Date | null = new Date(row.nextDueAt);
      while (next !== null && nextRuns.length < count) {
        nextRuns.push(next.toISOString());
        next = nextDueAfter(row, next);
      }
    }
    const [last] = await listFires(db, row.workflowId, row.triggerId, 1);
    views.push({
      workflowId: row.workflowId,
      triggerId: row.triggerId,
      cron: row.cron,
      timezone: row.timezone,
      nextRuns,
      lastFire: last
        ? { dueAt: last.dueAt, status: last.status, reason: last.reason, executionId: last.executionId, recordedAt: last.createdAt }
        : null,
    });
  }
  return views;
}
