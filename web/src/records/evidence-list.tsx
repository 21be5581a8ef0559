import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import { ConfirmDialog, ErrorNote, Time } from '../components/common.tsx';
import { formatBytes } from '../lib/format.ts';

type Attachment = Schemas['Attachment'];

/** What a file icon says: its extension, or "file". */
function fileKind(name: string): string {
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1) : '';
  return ext && ext.length <= 5 ? ext : 'file';
}

/** The full-size image in a modal dialog (the native `<dialog>`: Escape closes it). */
function ImageDialog({ attachment, onClose }: { attachment: Attachment; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} className="dialog image-dialog" aria-label={attachment.fileName} onClose={onClose}>
      <img src={`/v1/attachments/${attachment.id}`} alt={attachment.fileName} />
      <div className="dialog-actions">
        <a className="button-link" href={`/v1/attachments/${attachment.id}`} download>
          Download
        </a>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </dialog>
  );
}

/** A step's evidence: thumbnails that open full size, name, size, type, sha256, download, delete. */
export function EvidenceList({ executionId, items, canEdit }: { executionId: string; items: Attachment[]; canEdit: boolean }) {
  const [open, setOpen] = useState<Attachment | null>(null);
  const [deleting, setDeleting] = useState<Attachment | null>(null);
  const queries = useQueryClient();
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/attachments/{id}', { params: { path: { id } } })),
    onSuccess: async () => {
      setDeleting(null);
      await queries.invalidateQueries({ queryKey: keys.attachments(executionId) });
    },
  });
  if (items.length === 0) return null;
  return (
    <>
      <ul className="evidence-list" aria-label="Evidence">
        {items.map((a) => (
          <li key={a.id} className="evidence-item">
            {a.thumbnailStatus === 'ready' ? (
              <button type="button" className="thumb" onClick={() => setOpen(a)} aria-label={`Open ${a.fileName} full size`}>
                <img src={`/v1/attachments/${a.id}/thumbnail`} alt="" />
              </button>
            ) : (
              <span className="thumb file-icon" aria-hidden="true">
                {a.thumbnailStatus === 'pending' ? '…' : fileKind(a.fileName)}
              </span>
            )}
            <div className="evidence-meta">
              <span className="file-name">{a.fileName}</span>
              <span className="muted small">
                {formatBytes(a.sizeBytes)} · {a.mediaType} · <Time iso={a.createdAt} />
              </span>
              <span className="muted small mono" title="SHA-256">
                sha256 {a.sha256.slice(0, 16)}…
              </span>
            </div>
            <div className="evidence-actions">
              <a className="button-link" href={`/v1/attachments/${a.id}`} download aria-label={`Download ${a.fileName}`}>
                Download
              </a>
              {canEdit && (
                <button type="button" className="danger-outline" aria-label={`Delete ${a.fileName}`} onClick={() => setDeleting(a)}>
                  Delete
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this file?"
        confirmLabel="Delete file"
        danger
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting.id)}
        onCancel={() => setDeleting(null)}
      >
        <p>
          <span className="file-name">{deleting?.fileName}</span> is removed from the step. The deletion is audited; the bytes are purged
          after the grace period.
        </p>
        <ErrorNote error={remove.error} />
      </ConfirmDialog>
      {open && <ImageDialog attachment={open} onClose={() => setOpen(null)} />}
    </>
  );
}
