/**
 * The one coded registry of errors users can see. The API turns each into problem+json with the same
 * `code` and `status`; docs/errors.md documents every code (a test keeps the two in step).
 */
export abstract class RunledgerError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  /** Extra, safe-to-show detail (a field path, the offending value). */
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

export class ValidationError extends RunledgerError {
  readonly code = 'VALIDATION_FAILED';
  readonly status = 400;
}

export class InvalidDefinitionError extends RunledgerError {
  readonly code = 'INVALID_DEFINITION';
  readonly status = 400;
  constructor(readonly problems: string[]) {
    super(problems.join('; '), { problems });
  }
}

export class InvalidInputsError extends RunledgerError {
  readonly code = 'INVALID_INPUTS';
  readonly status = 400;
  /** `runs`: in a bulk start, the indexes of the input sets that are bad. */
  constructor(
    readonly problems: string[],
    extra: { runs?: number[] } = {},
  ) {
    super(problems.join('; '), { problems, ...extra });
  }
}

export class UnauthenticatedError extends RunledgerError {
  readonly code = 'UNAUTHENTICATED';
  readonly status = 401;
}

export class InvalidCredentialsError extends RunledgerError {
  readonly code = 'INVALID_CREDENTIALS';
  readonly status = 401;
  constructor() {
    super('Invalid username or password');
  }
}

export class ForbiddenError extends RunledgerError {
  readonly code = 'FORBIDDEN';
  readonly status = 403;
}

/** A request of a browser session that changes something came without the session's CSRF token, or from another origin. */
export class CsrfError extends RunledgerError {
  readonly code = 'CSRF_FAILED';
  readonly status = 403;
}

export class NotFoundError extends RunledgerError {
  readonly code: string = 'NOT_FOUND';
  readonly status = 404;
}

export class WorkflowNotFoundError extends NotFoundError {
  override readonly code = 'WORKFLOW_NOT_FOUND';
  constructor(id: string) {
    super(`Workflow "${id}" not found`, { id });
  }
}

export class ExecutionNotFoundError extends NotFoundError {
  override readonly code = 'EXECUTION_NOT_FOUND';
  constructor(id: string) {
    super(`Execution ${id} not found`, { id });
  }
}

export class TaskRunNotFoundError extends NotFoundError {
  override readonly code = 'TASK_RUN_NOT_FOUND';
  constructor(id: string) {
    super(`Task run ${id} not found`, { id });
  }
}

export class TokenNotFoundError extends NotFoundError {
  override readonly code = 'TOKEN_NOT_FOUND';
  constructor(id: string) {
    super(`API token ${id} not found`, { id });
  }
}

export class UserNotFoundError extends NotFoundError {
  override readonly code = 'USER_NOT_FOUND';
  constructor(idOrName: string) {
    super(`User ${idOrName} not found`, { id: idOrName });
  }
}

export class GroupNotFoundError extends NotFoundError {
  override readonly code = 'GROUP_NOT_FOUND';
  constructor(idOrName: string) {
    super(`Group ${idOrName} not found`, { id: idOrName });
  }
}

export class AttachmentNotFoundError extends NotFoundError {
  override readonly code = 'ATTACHMENT_NOT_FOUND';
  constructor(id: string) {
    super(`Attachment ${id} not found`, { id });
  }
}

/** The attachment exists but has no thumbnail to show: not an image, refused, failed, or not made yet. */
export class ThumbnailNotAvailableError extends NotFoundError {
  override readonly code = 'THUMBNAIL_NOT_AVAILABLE';
}

export class ConflictError extends RunledgerError {
  readonly code: string = 'CONFLICT';
  readonly status = 409;
}

export class WorkflowExistsError extends ConflictError {
  override readonly code = 'WORKFLOW_EXISTS';
  constructor(id: string) {
    super(`Workflow "${id}" already exists; use PUT /v1/workflows/${id} to make a new version`, { id });
  }
}

export class InvalidStateError extends ConflictError {
  override readonly code = 'INVALID_STATE';
}

/** A human-run record (or its step) has ended: its notes, steps and evidence can no longer change. */
export class RecordEndedError extends ConflictError {
  override readonly code = 'RECORD_ENDED';
}

/** Completing a record while some of its steps have not ended. */
export class StepsOpenError extends ConflictError {
  override readonly code = 'STEPS_OPEN';
  constructor(readonly steps: string[]) {
    super(`Steps not ended yet: ${steps.join(', ')}; complete or fail them first, or mark the record failed`, { steps });
  }
}

/** Deleting an execution that is still running: cancel it (or end the record) first. */
export class ExecutionNotEndedError extends ConflictError {
  override readonly code = 'EXECUTION_NOT_ENDED';
}

/** Restoring a deleted execution after the grace period, when its evidence may already be gone. */
export class RestoreExpiredError extends ConflictError {
  override readonly code = 'RESTORE_EXPIRED';
}

/** A JSON or YAML document nested deeper than `MAX_NESTING_DEPTH`; refused before it is parsed. */
export class NestingTooDeepError extends RunledgerError {
  readonly code = 'NESTING_TOO_DEEP';
  readonly status = 400;
}

export class PayloadTooLargeError extends RunledgerError {
  readonly code = 'PAYLOAD_TOO_LARGE';
  readonly status = 413;
}

/** An upload over `ATTACHMENT_MAX_BYTES`; nothing of it is kept. */
export class AttachmentTooLargeError extends RunledgerError {
  readonly code = 'ATTACHMENT_TOO_LARGE';
  readonly status = 413;
}

/** An upload that would take the uploader past `ATTACHMENT_USER_QUOTA_BYTES`; nothing of it is kept. */
export class QuotaExceededError extends RunledgerError {
  readonly code = 'QUOTA_EXCEEDED';
  readonly status = 413;
}

export class UnsupportedMediaTypeError extends RunledgerError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  readonly status = 415;
}

export class TooManyAttemptsError extends RunledgerError {
  readonly code = 'TOO_MANY_ATTEMPTS';
  readonly status = 429;
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many failed sign-in attempts; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
}

/** The attachment store (directory or S3) could not be reached or refused the operation. */
export class StorageUnavailableError extends RunledgerError {
  readonly code = 'STORAGE_UNAVAILABLE';
  readonly status = 503;
}

/** The attachment store has no room left (a full disk or quota, ENOSPC / EDQUOT). */
export class StorageFullError extends RunledgerError {
  readonly code = 'STORAGE_FULL';
  readonly status = 507;
}

/**
 * Sealed secret values could not be opened in this process: `RUNLEDGER_SECRET_KEY` is missing or is
 * not the key they were sealed with. Nothing runs with a stand-in value instead.
 */
export class SecretKeyUnavailableError extends RunledgerError {
  readonly code = 'SECRET_KEY_UNAVAILABLE';
  readonly status = 503;
}

/**
 * This process's audit key is not the deployment's: the store's audit trail is authenticated with
 * another key. Every node of a deployment must hold the same key.
 */
export class AuditKeyMismatchError extends RunledgerError {
  readonly code = 'AUDIT_KEY_MISMATCH';
  readonly status = 500;
  constructor(registeredKeyId: string, registeredAt: string, ourKeyId: string, source: string) {
    super(
      `this store's audit trail is authenticated with key ${registeredKeyId} (registered ${registeredAt}), but this process has key ${ourKeyId} (${source}): give every node the deployment's key with RUNLEDGER_AUDIT_SIGNING_KEY (docs/operations.md, "Running several nodes")`,
    );
  }
}

export class InternalError extends RunledgerError {
  readonly code = 'INTERNAL';
  readonly status = 500;
}

/** No webhook trigger of that id in the workflow's latest version (or no such workflow). */
export class WebhookNotFoundError extends NotFoundError {
  override readonly code = 'WEBHOOK_NOT_FOUND';
}

/** A webhook request whose signature is missing, malformed or wrong: nothing was started. */
export class WebhookSignatureError extends RunledgerError {
  readonly code = 'WEBHOOK_SIGNATURE_INVALID';
  readonly status = 401;
}

/** A webhook request signed too long ago (or in the future): outside the replay window. */
export class WebhookTimestampError extends RunledgerError {
  readonly code = 'WEBHOOK_TIMESTAMP_OUT_OF_WINDOW';
  readonly status = 401;
}

/** A webhook request with a signature already accepted once: a replay, refused. */
export class WebhookReplayedError extends ConflictError {
  override readonly code = 'WEBHOOK_REPLAYED';
}

/** A body that must be JSON and is not. */
export class InvalidJsonError extends RunledgerError {
  readonly code = 'INVALID_JSON';
  readonly status = 400;
}
