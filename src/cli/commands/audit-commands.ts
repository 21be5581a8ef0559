import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { AuditCheckpoint, AuditSubjectType } from '../../client/types.ts';
import { CliError } from '../cli-error.ts';
import type { CliContext } from '../cli-context.ts';
import { readUserFile } from '../definition-file.ts';
import { verifyExecutionArchive } from '../../observe/execution-archive.ts';
import { renderArchiveVerification, renderAuditList, renderAuditVerification } from '../render/audit-view.ts';

const SUBJECT_TYPES: readonly AuditSubjectType[] = ['execution', 'workflow', 'user', 'group', 'login', 'security'];

interface VerifyFlags {
  execution?: string;
  checkpoint?: string;
  archive?: string;
  json?: boolean;
}

interface ListFlags {
  subjectType?: AuditSubjectType;
  eventType?: string;
  limit?: number;
  json?: boolean;
}

/** `runledger audit verify | export | checkpoint | list`: the whole audit trail (admins only). */
export function registerAuditCommands(program: Command, ctx: CliContext, parsers: { positiveInt: (v: string) => number }): void {
  const audit = program.command('audit').description('The tamper-evident audit trail: verify, export, signed checkpoints (admins only)');

  audit
    .command('verify')
    .description('Verify every audit chain and the signed checkpoints; exits 1 when anything does not verify')
    .option('--execution <id>', "only this execution's chain")
    .option('--checkpoint <file>', 'also against this checkpoint kept outside the server, as "runledger audit checkpoint --out" wrote it')
    .option(
      '--archive <file>',
      'verify an exported execution offline, without a server: file hashes, evidence sha256, the audit chain and the checkpoint signature',
    )
    .option('--json', 'print the verification as JSON')
    .action(async (flags: VerifyFlags) => {
      if (flags.archive !== undefined) {
        const result = await verifyExecutionArchive(openUserFile(flags.archive, ctx.cwd));
        if (!result.ok) ctx.exitCode = 1;
        if (flags.json) return ctx.printJson(result);
        return ctx.print(renderArchiveVerification(result, ctx.colors));
      }
      const checkpoint = flags.checkpoint === undefined ? undefined : readCheckpointFile(flags.checkpoint, ctx.cwd);
      const result = await ctx.client().audit.verify({ execution: flags.execution, checkpoint });
      // Like `workflow run --wait`: the outcome is printed, and a failed one is exit code 1.
      if (!result.ok) ctx.exitCode = 1;
      if (flags.json) return ctx.printJson(result);
      ctx.print(renderAuditVerification(result, ctx.colors));
    });

  audit
    .command('export')
    .description('The whole audit trail on stdout as NDJSON (one event per line), oldest first, streamed')
    .action(async () => {
      const lines = await ctx.client().audit.export();
      await ctx.stream(withNewlines(lines));
    });

  audit
    .command('checkpoint')
    .description(
      'Write a signed checkpoint of every chain now; print it with the public key, or save it with --out to keep outside the server',
    )
    .option('--out <file>', 'write it to this file (mode 0600), for "runledger audit verify --checkpoint FILE" later')
    .action(async (flags: { out?: string }) => {
      const client = ctx.client();
      await client.audit.createCheckpoint();
      const latest = await client.audit.latestCheckpoint();
      if (flags.out === undefined) return ctx.printJson(latest);
      writePrivateFile(flags.out, ctx.cwd, `${JSON.stringify(latest, null, 2)}\n`);
      ctx.print(`checkpoint ${latest.seq} written to ${flags.out}`);
    });

  audit
    .command('list')
    .description('Audit events of every subject, newest first')
    .addOption(new Option('--subject-type <type>', 'only this kind of subject').choices(SUBJECT_TYPES))
    .option('--event-type <type>', 'only this event type, e.g. CREATED or LOGIN_FAILED')
    .option('--limit <n>', 'how many (1-1000, default 100)', parsers.positiveInt)
    .option('--json', 'print JSON')
    .action(async (flags: ListFlags) => {
      const events = await ctx.client().audit.list({ subjectType: flags.subjectType, eventType: flags.eventType, limit: flags.limit });
      if (flags.json) return ctx.printJson(events);
      if (events.length === 0) return ctx.print('No audit events match.');
      ctx.print(renderAuditList(events, ctx.colors));
    });
}

async function* withNewlines(lines: AsyncIterable<string>): AsyncGenerator<string> {
  for await (const line of lines) yield `${line}\n`;
}

/** An exported checkpoint file, without its `publicKey` (the server verifies with its own key). */
function readCheckpointFile(file: string, cwd: string): AuditCheckpoint {
  const text = readUserFile(file, cwd);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e: unknown) {
    throw new CliError(`${file}: not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const record = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? { ...(parsed as Record<string, unknown>) } : undefined;
  if (!record || !Array.isArray(record.heads) || typeof record.hash !== 'string' || typeof record.signature !== 'string')
    throw new CliError(`${file}: not an audit checkpoint (write one with "runledger audit checkpoint --out FILE")`);
  delete record.publicKey;
  return record as unknown as AuditCheckpoint;
}

/** A file to read as a stream; a one-line error when it cannot be opened. */
function openUserFile(file: string, cwd: string): fs.ReadStream {
  const full = path.resolve(cwd, file);
  try {
    fs.accessSync(full, fs.constants.R_OK);
    if (fs.statSync(full).isDirectory()) throw new CliError(`${file}: is a directory`);
  } catch (e: unknown) {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot be read (${code ?? String(e)})`);
  }
  return fs.createReadStream(full);
}

/** Writes a file only its owner may read (0600 before anything is written, also when it existed); a one-line error when it cannot. */
function writePrivateFile(file: string, cwd: string, content: string): void {
  let fd: number;
  try {
    fd = fs.openSync(path.resolve(cwd, file), 'w', 0o600);
  } catch (e: unknown) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`${file}: no such directory`);
    if (code === 'EISDIR') throw new CliError(`${file}: is a directory`);
    if (code === 'EACCES') throw new CliError(`${file}: permission denied`);
    throw e;
  }
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeFileSync(fd, content);
  } finally {
    fs.closeSync(fd);
  }
}
