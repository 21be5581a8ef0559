import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { InvalidDefinitionError, WorkflowExistsError, WorkflowNotFoundError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { parseWorkflowDefinition } from '../domain/parse-workflow-definition.ts';
import type { Actor, Workflow, WorkflowVersion } from '../domain/records.ts';
import { nowIso } from '../domain/time.ts';
import type { Database } from '../store/database-schema.ts';
import * as repo from '../store/workflow-repository.ts';
import { recordAuditEvent } from '../observe/audit-logger.ts';
import type { SecretBox } from './secret-box.ts';
import { dropTriggers, syncTriggers } from './trigger-sync.ts';

export interface DefinitionSource {
  /** YAML or JSON text, or an already parsed object (a JSON request body). */
  source: string | Record<string, unknown>;
  format: 'yaml' | 'json';
}

export interface ApplyResult {
  workflow: Workflow;
  version: WorkflowVersion;
  /** False when the definition was identical to the latest version (no new version made). */
  changed: boolean;
  created: boolean;
  /** The signing secret of each webhook trigger this version added, in clear: shown once, never again. */
  webhookSecrets: Record<string, string>;
}

/**
 * Workflows and their immutable versions. Every change is a new version; an identical definition
 * applied again makes none, so `workflow apply` is idempotent.
 */
export class WorkflowCatalog {
  /** `secrets` seals the signing secrets of webhook triggers (a definition with one is refused without it). */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly secrets?: SecretBox,
  ) {}

  /** Creates the workflow, or a new version of it (`mode` picks which of those the caller allows). */
  async apply(input: DefinitionSource, actor: Actor, mode: 'create' | 'update' | 'upsert', expectedId?: string): Promise<ApplyResult> {
    const definition = parseWorkflowDefinition(input.source, input.format);
    if (expectedId !== undefined && definition.id !== expectedId) {
      throw new InvalidDefinitionError([`id: "${definition.id}" does not match the workflow in the URL ("${expectedId}")`]);
    }
    const source = typeof input.source === 'string' ? input.source : JSON.stringify(input.source, null, 2);
    const checksum = crypto.createHash('sha256').update(JSON.stringify(definition)).digest('hex');
    return this.db.transaction().execute(async (trx) => {
      const existing = await repo.getWorkflow(trx, definition.id);
      if (existing && mode === 'create') throw new WorkflowExistsError(definition.id);
      if (!existing && mode === 'update') throw new WorkflowNotFoundError(definition.id);
      const now = nowIso();
      if (existing) {
        const latest = await repo.getWorkflowVersion(trx, existing.id, existing.latestVersion);
        if (latest && latest.checksum === checksum)
          return { workflow: existing, version: latest, changed: false, created: false, webhookSecrets: {} };
      } else if (await repo.workflowIdTaken(trx, definition.id)) {
        await repo.reviveWorkflow(trx, definition.id, now);
      } else {
        await repo.insertWorkflow(trx, { id: definition.id, name: definition.name, createdBy: actor.userId, now });
      }
      const version: WorkflowVersion = {
        id: newId(),
        workflowId: definition.id,
        version: (await repo.latestVersionNumber(trx, definition.id)) + 1,
        definition,
        source,
        sourceFormat: input.format,
        checksum,
        createdBy: actor.userId,
        createdAt: now,
      };
      await repo.insertWorkflowVersion(trx, version);
      await recordAuditEvent(trx, {
        subjectType: 'workflow',
        subjectId: definition.id,
        eventType: existing ? 'WORKFLOW_UPDATED' : 'WORKFLOW_CREATED',
        actor,
        metadata: { version: version.version, checksum },
      });
      const webhookSecrets = await syncTriggers(trx, definition, { secrets: this.secrets, actor, now });
      const workflow = (await repo.getWorkflow(trx, definition.id))!;
      return { workflow, version, changed: true, created: !existing, webhookSecrets };
    });
  }

  async get(id: string): Promise<{ workflow: Workflow; version: WorkflowVersion }> {
    const workflow = await repo.getWorkflow(this.db, id);
    if (!workflow) throw new WorkflowNotFoundError(id);
    const version = await repo.getWorkflowVersion(this.db, id, workflow.latestVersion);
    if (!version) throw new WorkflowNotFoundError(id);
    return { workflow, version };
  }

  /** One version of a workflow; a deleted workflow's versions stay readable (records point at them). */
  async version(id: string, version: number): Promise<WorkflowVersion> {
    const found = await repo.getWorkflowVersion(this.db, id, version);
    if (!found) throw new WorkflowNotFoundError(`${id}@${version}`);
    return found;
  }

  list(): Promise<Workflow[]> {
    return repo.listWorkflows(this.db);
  }

  async versions(id: string): Promise<WorkflowVersion[]> {
    if (!(await repo.getWorkflow(this.db, id))) throw new WorkflowNotFoundError(id);
    return repo.listWorkflowVersions(this.db, id);
  }

  /** Soft delete: executions keep pointing at their versions; the id can be applied again later. */
  async delete(id: string, actor: Actor): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (!(await repo.softDeleteWorkflow(trx, id, nowIso()))) throw new WorkflowNotFoundError(id);
      await dropTriggers(trx, id);
      await recordAuditEvent(trx, { subjectType: 'workflow', subjectId: id, eventType: 'WORKFLOW_DELETED', actor });
    });
  }
}
