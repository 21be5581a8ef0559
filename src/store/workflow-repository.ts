import { sql, type Kysely, type Selectable, type SqlBool, type Transaction } from 'kysely';
import type { Workflow, WorkflowVersion } from '../domain/records.ts';
import type { WorkflowDefinition } from '../domain/workflow-definition.ts';
import type { Database, WorkflowVersionsTable, WorkflowsTable } from './database-schema.ts';
import { fromJson, toJson } from './json-column.ts';
import { containsPattern } from './like-pattern.ts';

type Db = Kysely<Database> | Transaction<Database>;

function toWorkflow(row: Selectable<WorkflowsTable>): Workflow {
  return {
    id: row.id,
    name: row.name,
    latestVersion: row.latest_version,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toVersion(row: Selectable<WorkflowVersionsTable>): WorkflowVersion {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    version: row.version,
    definition: fromJson<WorkflowDefinition>(row.definition),
    source: row.source,
    sourceFormat: row.source_format as 'yaml' | 'json',
    checksum: row.checksum,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

export async function getWorkflow(db: Db, id: string): Promise<Workflow | undefined> {
  const row = await db.selectFrom('workflows').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  return row && toWorkflow(row);
}

/** Any workflow row, deleted or not: ids of deleted workflows stay taken because executions point at them. */
export async function workflowIdTaken(db: Db, id: string): Promise<boolean> {
  const row = await db.selectFrom('workflows').select('id').where('id', '=', id).executeTakeFirst();
  return row !== undefined;
}

export async function listWorkflows(db: Db): Promise<Workflow[]> {
  const rows = await db.selectFrom('workflows').selectAll().where('deleted_at', 'is', null).orderBy('id').execute();
  return rows.map(toWorkflow);
}

export async function insertWorkflow(db: Db, row: { id: string; name: string; createdBy: string | null; now: string }): Promise<void> {
  await db
    .insertInto('workflows')
    .values({
      id: row.id,
      name: row.name,
      latest_version: 0,
      created_by: row.createdBy,
      created_at: row.now,
      updated_at: row.now,
      deleted_at: null,
    })
    .execute();
}

/** Revives a soft-deleted workflow when its id is applied again; its version numbers continue. */
export async function reviveWorkflow(db: Db, id: string, now: string): Promise<void> {
  await db.updateTable('workflows').set({ deleted_at: null, updated_at: now }).where('id', '=', id).execute();
}

export async function insertWorkflowVersion(db: Db, version: Omit<WorkflowVersion, 'version'> & { version: number }): Promise<void> {
  await db
    .insertInto('workflow_versions')
    .values({
      id: version.id,
      workflow_id: version.workflowId,
      version: version.version,
      definition: toJson(version.definition),
      source: version.source,
      source_format: version.sourceFormat,
      checksum: version.checksum,
      created_by: version.createdBy,
      created_at: version.createdAt,
    })
    .execute();
  await db
    .updateTable('workflows')
    .set({ latest_version: version.version, name: version.definition.name, updated_at: version.createdAt })
    .where('id', '=', version.workflowId)
    .execute();
}

export async function latestVersionNumber(db: Db, workflowId: string): Promise<number> {
  const row = await db
    .selectFrom('workflow_versions')
    .select((eb) => eb.fn.max('version').as('v'))
    .where('workflow_id', '=', workflowId)
    .executeTakeFirst();
  return Number(row?.v ?? 0);
}

export async function getWorkflowVersion(db: Db, workflowId: string, version: number): Promise<WorkflowVersion | undefined> {
  const row = await db
    .selectFrom('workflow_versions')
    .selectAll()
    .where('workflow_id', '=', workflowId)
    .where('version', '=', version)
    .executeTakeFirst();
  return row && toVersion(row);
}

export async function listWorkflowVersions(db: Db, workflowId: string): Promise<WorkflowVersion[]> {
  const rows = await db
    .selectFrom('workflow_versions')
    .selectAll()
    .where('workflow_id', '=', workflowId)
    .orderBy('version', 'desc')
    .execute();
  return rows.map(toVersion);
}

export async function softDeleteWorkflow(db: Db, id: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('workflows')
    .set({ deleted_at: now, updated_at: now })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Ids of the workflows a procedure filter names: the one with that id, and every one whose name
 * contains the text (case-insensitive). Deleted workflows count: their records are still searched.
 */
export async function findWorkflowIds(db: Db, ref: string): Promise<string[]> {
  const pattern = containsPattern(ref);
  const rows = await db
    .selectFrom('workflows')
    .select('id')
    .where((eb) => eb.or([eb('id', '=', ref), sql<SqlBool>`lower(name) like ${pattern} escape '\\'`]))
    .execute();
  return rows.map((r) => r.id);
}

/** Display names of workflows by id (deleted ones included), for pages of history. */
export async function workflowNames(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('workflows')
    .select(['id', 'name'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}
