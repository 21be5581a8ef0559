import type { Kysely, Transaction } from 'kysely';
import type { WorkflowVersion } from '../domain/records.ts';
import type { Database } from '../store/database-schema.ts';
import { getWorkflowVersion } from '../store/workflow-repository.ts';

/** Workflow versions never change once written, so a process keeps the ones it has read. */
export class WorkflowVersionCache {
  private readonly versions = new Map<string, WorkflowVersion>();

  constructor(private readonly limit = 1000) {}

  async get(db: Kysely<Database> | Transaction<Database>, workflowId: string, version: number): Promise<WorkflowVersion | undefined> {
    const key = `${workflowId}@${version}`;
    const cached = this.versions.get(key);
    if (cached) return cached;
    const found = await getWorkflowVersion(db, workflowId, version);
    if (found) {
      if (this.versions.size >= this.limit) this.versions.delete(this.versions.keys().next().value!);
      this.versions.set(key, found);
    }
    return found;
  }
}
