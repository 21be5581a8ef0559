import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type ClipboardEvent, type DragEvent } from 'react';
import { ApiProblem } from '../api/client.ts';
import { keys, useAttachmentLimits } from '../api/queries.ts';
import { uploadEvidence, type UploadProgress } from '../api/upload.ts';
import { formatBytes } from '../lib/format.ts';

/** The files a paste carries (a screenshot copied to the clipboard is one). */
export function filesOfClipboard(e: ClipboardEvent): File[] {
  const files: File[] = [];
  for (const item of e.clipboardData.items) {
    if (item.kind !== 'file') continue;
    const file = item.getAsFile();
    if (file) files.push(file);
  }
  return files;
}

/**
 * Evidence for one step: a file picker, the camera (on a phone), drag and drop and paste, one file
 * at a time with a progress bar. A file over the server's limit is refused here, before any byte
 * is sent.
 */
export function EvidenceUpload({ executionId, taskRunId, label }: { executionId: string; taskRunId: string; label: string }) {
  const limits = useAttachmentLimits();
  const queries = useQueryClient();
  const [progress, setProgress] = useState<(UploadProgress & { name: string }) | null>(null);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const [over, setOver] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  const camera = useRef<HTMLInputElement>(null);

  const upload = async (files: readonly File[]) => {
    for (const file of files) {
      const max = limits.data?.maxBytes;
      if (max !== undefined && file.size > max) {
        // in bytes when the rounded sizes would read the same
        const [size, limit] =
          formatBytes(file.size) === formatBytes(max)
            ? [`${file.size.toLocaleString('en')} bytes`, `${max.toLocaleString('en')} bytes`]
            : [formatBytes(file.size), formatBytes(max)];
        setMessage({ error: true, text: `${file.name || 'The file'} is ${size}, over the limit of ${limit}; nothing was sent.` });
        continue;
      }
      setMessage(null);
      setProgress({ loaded: 0, total: file.size, name: file.name });
      try {
        const attachment = await uploadEvidence(executionId, taskRunId, file, (p) => setProgress({ ...p, name: file.name }));
        setMessage({ error: false, text: `Attached ${attachment.fileName} (${formatBytes(attachment.sizeBytes)}).` });
      } catch (e: unknown) {
        setMessage({ error: true, text: e instanceof ApiProblem ? e.message : 'The upload failed.' });
      } finally {
        setProgress(null);
        await queries.invalidateQueries({ queryKey: keys.attachments(executionId) });
      }
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    void upload([...e.dataTransfer.files]);
  };
  const onPaste = (e: ClipboardEvent) => {
    const files = filesOfClipboard(e);
    if (files.length === 0) return;
    e.preventDefault();
    void upload(files);
  };
  const percent = progress && progress.total > 0 ? Math.round((progress.loaded / progress.total) * 100) : 0;

  return (
    <div
      className={`drop-zone${over ? ' over' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      onPaste={onPaste}
      tabIndex={0}
      role="group"
      aria-label={`Evidence upload for ${label}: choose a file, drop it here, or paste a screenshot`}
    >
      <div className="inline">
        <button type="button" onClick={() => picker.current?.click()} disabled={progress !== null}>
          Attach file
        </button>
        <button type="button" className="camera-button" onClick={() => camera.current?.click()} disabled={progress !== null}>
          Take photo
        </button>
        <span className="muted small">or drop a file here, or paste a screenshot</span>
      </div>
      <input
        ref={picker}
        type="file"
        className="visually-hidden"
        tabIndex={-1}
        aria-label={`Choose a file for ${label}`}
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          void upload(files);
        }}
      />
      <input
        ref={camera}
        type="file"
        accept="image/*"
        capture="environment"
        className="visually-hidden"
        tabIndex={-1}
        aria-label={`Take a photo for ${label}`}
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          void upload(files);
        }}
      />
      {progress && (
        <div className="upload-progress" role="status">
          <label>
            Uploading {progress.name}: {percent} %{' '}
            <progress max={100} value={percent}>
              {percent} %
            </progress>
          </label>
        </div>
      )}
      {message && (
        <p className={message.error ? 'error small' : 'muted small'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
    </div>
  );
}
