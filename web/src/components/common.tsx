import { useEffect, useId, useRef, type ReactNode } from 'react';
import { formatDuration, formatInstant, formatJson, formatRelative } from '../lib/format.ts';
import { usePrefs } from '../prefs.tsx';

/** A status as a coloured badge with its word (colour is never the only cue). */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status-${status}`}>{status.replace('_', ' ')}</span>;
}

/** An instant in the chosen zone; hovering (or focusing) shows how long ago. */
export function Time({ iso }: { iso: string | null | undefined }) {
  const { prefs } = usePrefs();
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={formatRelative(iso)}>
      {formatInstant(iso, prefs.timeZone)}
    </time>
  );
}

export function Duration({ ms }: { ms: number | null | undefined }) {
  return <span>{formatDuration(ms)}</span>;
}

/** Any recorded value as text in a `<pre>`: HTML or `javascript:` in it is shown, never run. */
export function JsonBlock({ value, label }: { value: unknown; label?: string }) {
  if (value === null || value === undefined) return <span className="muted">none</span>;
  return (
    <pre className="json" aria-label={label} tabIndex={0}>
      {formatJson(value)}
    </pre>
  );
}

/** Expandable JSON: the summary says what it is, the body shows it. */
export function JsonDetails({ summary, value }: { summary: string; value: unknown }) {
  if (value === null || value === undefined) return null;
  return (
    <details className="json-details">
      <summary>{summary}</summary>
      <JsonBlock value={value} label={summary} />
    </details>
  );
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p role="alert" className="error">
      {error instanceof Error ? error.message : typeof error === 'string' ? error : 'Something went wrong.'}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

/**
 * A modal confirmation (the native `<dialog>`: focus moves into it, Escape closes it, the page
 * behind is inert).
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  // several dialogs may be on one page: each is named by its own title
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} onClose={props.onCancel}>
      <h2 id={titleId}>{props.title}</h2>
      <div>{props.children}</div>
      <div className="dialog-actions">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="button" className={props.danger ? 'danger' : 'primary'} onClick={props.onConfirm} disabled={props.busy}>
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
