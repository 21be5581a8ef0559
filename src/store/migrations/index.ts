import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { DialectCapabilities } from '../capabilities.ts';
import * as core from './0001-core.ts';
import * as executionLogs from './0002-execution-logs.ts';
import * as accessControl from './0003-access-control.ts';
import * as stepResultAudit from './0004-step-result-audit.ts';
import * as auditCheckpoints from './0005-audit-checkpoints.ts';
import * as taskRunLogIndex from './0006-task-run-log-index.ts';
import * as auditPurgedAt from './0007-audit-purged-at.ts';
import * as logPartitions from './0008-log-partitions.ts';
import * as attachments from './0009-attachments.ts';
import * as scheduling from './0010-scheduling.ts';
import * as auditAuthentication from './0011-audit-authentication.ts';
import * as browserSessions from './0012-browser-sessions.ts';
import * as credentialsChangedAt from './0014-credentials-changed-at.ts';
import * as unindexSecretInputs from './0015-unindex-secret-inputs.ts';
import * as triggers from './0016-triggers.ts';
import * as flow from './0017-flow.ts';

interface DialectAwareMigration {
  up(db: Kysely<unknown>, caps: DialectCapabilities): Promise<void>;
  down(db: Kysely<unknown>, caps: DialectCapabilities): Promise<void>;
}

/** Numbered, never edited once released; a new change is a new file. */
const migrations: Record<string, DialectAwareMigration> = {
  '0001-core': core,
  '0002-execution-logs': executionLogs,
  '0003-access-control': accessControl,
  '0004-step-result-audit': stepResultAudit,
  '0005-audit-checkpoints': auditCheckpoints,
  '0006-task-run-log-index': taskRunLogIndex,
  '0007-audit-purged-at': auditPurgedAt,
  '0008-log-partitions': logPartitions,
  '0009-attachments': attachments,
  '0010-scheduling': scheduling,
  '0011-audit-authentication': auditAuthentication,
  '0012-browser-sessions': browserSessions,
  '0014-credentials-changed-at': credentialsChangedAt,
  '0015-unindex-secret-inputs': unindexSecretInputs,
  '0016-triggers': triggers,
  '0017-flow': flow,
};

export const MIGRATION_NAMES = Object.keys(migrations);

/** Hands Kysely's Migrator the list above with the dialect's capabilities bound in. */
export class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly caps: DialectCapabilities) {}

  getMigrations(): Promise<Record<string, Migration>> {
    const bound: Record<string, Migration> = {};
    for (const [name, m] of Object.entries(migrations)) {
      bound[name] = {
        up: (db) => m.up(db as Kysely<unknown>, this.caps),
        down: (db) => m.down(db as Kysely<unknown>, this.caps),
      };
    }
    return Promise.resolve(bound);
  }
}
