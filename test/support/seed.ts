import type { Kysely, Transaction } from 'kysely';
import { newId } from '../../src/domain/ids.ts';
import type { Database } from '../../src/store/database-schema.ts';
import { insertExecution } from '../../src/store/execution-repository.ts';
import { insertWorkflow, insertWorkflowVersion } from '../../src/store/workflow-repository.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A fresh, empty workflow (version 1) for benchmark rows to hang off; returns its id. */
export async function seedWorkflow(db: Db): Promise<string> {
  const now = new Date().toISOString();
  const id = `bench_${newId().slice(-12).replace(/-/g, '')}`;
  await insertWorkflow(db, { id, name: id, createdBy: null, now });
  await insertWorkflowVersion(db, {
    id: newId(),
    workflowId: id,
    version: 1,
    definition: { id, name: id, inputs: {}, tasks: [] },
    source: '',
    sourceFormat: 'json',
    checksum: '',
    createdBy: null,
    createdAt: now,
  });
  return id;
}

/** One pending execution of that workflow (made now unless told otherwise); returns its id. */
export async function seedExecution(db: Db, workflowId: string, at: { id?: string; createdAt?: number } = {}): Promise<string> {
  const id = at.id ?? newId();
  await insertExecution(db, {
    id,
    workflowId,
    workflowVersion: 1,
    trigger: 'api',
    triggeredBy: null,
    correlationId: null,
    title: null,
    inputs: {},
    createdAt: new Date(at.createdAt ?? Date.now()).toISOString(),
  });
  return id;
}
