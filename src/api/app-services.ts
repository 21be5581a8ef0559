import type { AuthService } from '../auth/auth-service.ts';
import type { Engine } from '../engine/engine.ts';
import type { WorkflowCatalog } from '../engine/workflow-catalog.ts';
import type { AuditSigner } from '../observe/audit-signer.ts';
import type { LogFeed } from '../observe/log-collector.ts';
import type { RetentionPolicy } from '../observe/retention.ts';
import type { AttachmentService } from '../records/attachment-service.ts';
import type { Store } from '../store/store.ts';

/** What the HTTP layer is given; `buildApp` wires routes to these and nothing else. */
export interface AppServices {
  store: Store;
  engine: Engine;
  catalog: WorkflowCatalog;
  auth: AuthService;
  auditSigner: AuditSigner;
  /** Wakes log followers when an execution's lines are written. */
  logFeed: LogFeed;
  /** How often a follower looks for lines no wake-up told it about (default 1 s). */
  logPollMs?: number;
  retention: RetentionPolicy;
  /** Evidence files: uploads, downloads, thumbnails, deletion and purge. */
  attachments: AttachmentService;
  /** This process's log collector counts (lines appended, written and dropped), for `/metrics`. */
  logStats?: { readonly appended: number; readonly written: number; readonly dropped: number } | undefined;
}
