import contentDisposition from 'content-disposition';

/** Longest display name kept, in UTF-16 code units (what `.length` and most column limits count). */
const MAX_LENGTH = 200;
/** A trailing `.xyz` longer than this is not treated as an extension worth preserving when truncating. */
const MAX_EXTENSION_LENGTH = 16;
const FALLBACK = 'file';

/**
 * Format characters (Unicode Cf): bidi embeddings, overrides, isolates and marks (U+202A–U+202E,
 * U+2066–U+2069, U+200E/U+200F, U+061C), zero-width space/joiners (U+200B–U+200D, U+2060), BOM, soft
 * hyphen. They are invisible, so they only ever serve to make a name look like something it is not
 * (`evil\u202Egnp.exe` displays as `evilexe.png`).
 */
const INVISIBLE = /\p{Cf}/gu;
/** C0 and C1 controls, NUL included; whitespace controls are turned into spaces before this runs. */
const CONTROL = /\p{Cc}/gu;
const DISALLOWED = /[^\p{L}\p{M}\p{N} .\-_()+,@]/gu;

/**
 * Turns a client-supplied file name into a safe display name. The result is metadata only — storage keys
 * never derive from it — but it is shown in the UI and sent back in Content-Disposition, so it must not
 * carry path components, header-breaking or invisible characters, or a misleading extension.
 * Percent-escapes are deliberately not decoded: `%2F` stays literal text, never a separator.
 * The result is never empty, at most 200 code units long, and sanitizing it again leaves it unchanged.
 */
export function sanitizeFileName(raw: string): string {
  const visible = raw.normalize('NFC').replace(INVISIBLE, '').replace(/\s+/gu, ' ').replace(CONTROL, '');
  const segments = visible.split(/[/\\]/).filter((segment) => segment.trim() !== '');
  const name = (segments.at(-1) ?? '')
    .replace(DISALLOWED, '_')
    .replace(/ {2,}/g, ' ')
    // Leading dots hide files and spell `..`; trailing dots and spaces are silently dropped by Windows.
    .replace(/^[. ]+/, '')
    .replace(/[. ]+$/, '');
  return truncate(name) || FALLBACK;
}

/** Cuts `name` to MAX_LENGTH, keeping a short extension so the name still says what the file is. */
function truncate(name: string): string {
  if (name.length <= MAX_LENGTH) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= MAX_EXTENSION_LENGTH ? name.slice(dot) : '';
  const base = cutAtCodePoint(name.slice(0, name.length - extension.length), MAX_LENGTH - extension.length);
  return base.replace(/[. ]+$/, '') + extension;
}

/** Slices to at most `length` code units without splitting a surrogate pair. */
function cutAtCodePoint(text: string, length: number): string {
  let cut = text.slice(0, length);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut;
}

/**
 * The Content-Disposition header for downloading an attachment: always `attachment` (never `inline`, so a
 * browser does not render it in our origin), with an RFC 6266 `filename` and, for non-ASCII names,
 * `filename*`. The ASCII fallback is ours because the package would otherwise send raw Latin-1 bytes
 * in `filename` (e.g. for `résumé.pdf`) with no `filename*`, which clients decode inconsistently.
 */
export function contentDispositionFor(fileName: string): string {
  const name = sanitizeFileName(fileName);
  const fallback = name.replace(/[^\x20-\x7e]/g, '_');
  return contentDisposition(name, { type: 'attachment', fallback });
}
