import { Readable } from 'node:stream';
import { finishThumbnail, getAttachment, listPendingThumbnails } from '../store/attachment-repository.ts';
import { thumbnailKey, type AttachmentDeps } from './attachment-settings.ts';
import { isRasterImage } from './sniff-media-type.ts';
import { makeThumbnail, ThumbnailRefusedError } from './thumbnail.ts';

/**
 * sharp needs the whole encoded image in memory; past this a preview is not worth the memory, and a
 * screenshot or photo is far below it.
 */
const MAX_INPUT_BYTES = 50 * 1024 * 1024;
/** Pending thumbnails picked up per query when the job resumes after a restart. */
const RESUME_BATCH = 500;
/** Longest failure reason kept on the row. */
const MAX_ERROR_LENGTH = 500;

/**
 * Makes thumbnails in the background, one at a time (decoding is CPU-bound and the upload has already
 * been answered). The evidence itself is only ever read: a refused or failed thumbnail sets
 * `thumbnail_status = failed` with the reason and leaves the attachment as it was. What a previous
 * process left pending is picked up by `resume()`.
 */
export class ThumbnailJob {
  readonly #deps: AttachmentDeps;
  readonly #queue: string[] = [];
  #draining: Promise<void> | undefined;
  #stopped = false;

  constructor(deps: AttachmentDeps) {
    this.#deps = deps;
  }

  /** Schedules the attachment; attachments that need no thumbnail (or have one) are skipped when their turn comes. */
  enqueue(attachmentId: string): void {
    if (this.#stopped) return;
    this.#queue.push(attachmentId);
    this.#draining ??= this.#drain().finally(() => (this.#draining = undefined));
  }

  /** Queues every attachment still waiting for a thumbnail. */
  async resume(): Promise<void> {
    for (let after: string | null = null; ;) {
      const ids = await listPendingThumbnails(this.#deps.db, after, RESUME_BATCH);
      for (const id of ids) this.enqueue(id);
      if (ids.length < RESUME_BATCH) return;
      after = ids.at(-1)!;
    }
  }

  /** Resolves once the queue is empty and nothing is being made. */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  /** Takes no new work and waits for the thumbnail being made; the rest stay pending for the next start. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#queue.length = 0;
    await this.idle();
  }

  async #drain(): Promise<void> {
    for (let id = this.#queue.shift(); id !== undefined && !this.#stopped; id = this.#queue.shift()) {
      try {
        await this.#make(id);
      } catch (e: unknown) {
        // Only the store can fail here (storage failures are recorded on the row): leave it pending for the next start.
        console.error(`runledger: thumbnail of attachment ${id} not recorded: ${String(e)}`);
      }
    }
  }

  async #make(id: string): Promise<void> {
    const { db, storage, settings } = this.#deps;
    const attachment = await getAttachment(db, id);
    if (!attachment || attachment.thumbnailStatus !== 'pending' || attachment.deletedAt || attachment.purgedAt) return;
    // Never decided by the name: only sniffed raster types reach the decoder (never SVG).
    if (!isRasterImage(attachment.mediaType)) {
      await finishThumbnail(db, id, { status: 'none', key: null, error: null });
      return;
    }
    const key = thumbnailKey(attachment.executionId, attachment.id);
    let result: { status: 'ready' | 'failed'; key: string | null; error: string | null };
    try {
      if (attachment.sizeBytes > MAX_INPUT_BYTES) throw new ThumbnailRefusedError(`image is larger than ${MAX_INPUT_BYTES} bytes`);
      const input = await storage.get(attachment.storageKey);
      const thumbnail = await makeThumbnail(input, attachment.mediaType, { maxInputPixels: settings.thumbnailMaxInputPixels });
      await storage.put(key, Readable.from([thumbnail.data]), { maxBytes: thumbnail.data.length, contentType: thumbnail.mime });
      result = { status: 'ready', key, error: null };
    } catch (e: unknown) {
      const reason = e instanceof ThumbnailRefusedError ? e.reason : `storage: ${e instanceof Error ? e.message : String(e)}`;
      result = { status: 'failed', key: null, error: reason.slice(0, MAX_ERROR_LENGTH) };
    }
    // Purged while we worked: the thumbnail would be an object nobody removes.
    if (!(await finishThumbnail(db, id, result)) && result.key) await storage.delete(result.key);
  }
}
