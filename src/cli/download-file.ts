import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AttachmentDownload } from '../client/record-types.ts';
import { sanitizeFileName } from '../records/attachment-file-name.ts';
import { CliError } from './cli-error.ts';

export interface SaveOptions {
  /** The attachment id, for the file name when the answer names none. */
  id: string;
  /** `-o`: a file, or a directory to save into; default the current directory. */
  output: string | undefined;
  force: boolean;
  cwd: string;
}

export interface SavedFile {
  fileName: string;
  mediaType: string | null;
  sizeBytes: number;
  sha256: string;
  /** Where it was saved, absolute. */
  path: string;
}

/**
 * Streams a download to disk, hashing it on the way. The default name is the server's file name
 * sanitised again here — a base name only, so whatever the answer says, nothing is written outside
 * the chosen directory. Without `force` an existing file is never touched (exclusive create); with
 * it, the bytes go to a temporary file that replaces the old one only once complete. A failed or
 * short download leaves nothing behind.
 */
export async function saveDownload(download: AttachmentDownload, options: SaveOptions): Promise<SavedFile> {
  const fileName = sanitizeFileName(download.fileName ?? `attachment-${options.id}`);
  let target = path.resolve(options.cwd, options.output ?? '.');
  if (options.output === undefined || isDirectory(target)) target = path.join(target, fileName);
  const shown = options.output ?? path.relative(options.cwd, target);

  if (!options.force && fs.existsSync(target)) {
    await download.body.cancel();
    throw new CliError(`${shown}: file exists; pass --force to overwrite it, or -o to save it elsewhere`);
  }
  const writeTo = options.force ? `${target}.${randomBytes(6).toString('hex')}.part` : target;
  let file: fs.WriteStream;
  try {
    file = await openExclusive(writeTo);
  } catch (e: unknown) {
    await download.body.cancel();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new CliError(`${shown}: file exists; pass --force to overwrite it, or -o to save it elsewhere`);
    if (code === 'ENOENT') throw new CliError(`${path.dirname(shown) || '.'}: no such directory`);
    if (code === 'EACCES') throw new CliError(`${shown}: permission denied`);
    throw e;
  }

  const hash = createHash('sha256');
  let sizeBytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      sizeBytes += chunk.length;
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(download.body as Parameters<typeof Readable.fromWeb>[0]), count, file);
    if (download.sizeBytes !== null && sizeBytes !== download.sizeBytes)
      throw new CliError(`the download of ${options.id} stopped after ${sizeBytes} of ${download.sizeBytes} bytes; nothing was saved`);
    if (writeTo !== target) fs.renameSync(writeTo, target);
  } catch (e: unknown) {
    fs.rmSync(writeTo, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    if (e instanceof CliError || (typeof code === 'string' && code.startsWith('E'))) throw e;
    // the answer broke off (undici's "terminated"): say what it means
    const reason = e instanceof Error ? e.message : String(e);
    throw new CliError(`the download of ${options.id} was cut off (${reason}); nothing was saved`);
  }
  return { fileName, mediaType: download.mediaType, sizeBytes, sha256: hash.digest('hex'), path: target };
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** A new file, created only if there is none (`wx`), ready for writing. */
function openExclusive(file: string): Promise<fs.WriteStream> {
  return new Promise((resolve, reject) => {
    const stream = fs.createWriteStream(file, { flags: 'wx' });
    stream.once('open', () => resolve(stream));
    stream.once('error', reject);
  });
}
