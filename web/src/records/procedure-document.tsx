import { useEffect, useRef } from 'react';
import { useExecutionDocument } from '../api/queries.ts';
import { ErrorNote, Loading } from '../components/common.tsx';

/**
 * The procedure document with the record's values, as the server rendered and sanitised it (no
 * script, no event handler, no `javascript:` link; values are inserted as literal text). When the
 * document's first numbered list has an item per step, the current step's item is highlighted.
 */
export function ProcedureDocument({ executionId, currentIndex }: { executionId: string; currentIndex: number | null }) {
  const doc = useExecutionDocument(executionId);
  const ref = useRef<HTMLDivElement>(null);
  const html = doc.data?.html;
  useEffect(() => {
    const root = ref.current;
    if (!root) return;
    for (const li of root.querySelectorAll('li.current-step')) {
      li.classList.remove('current-step');
      li.removeAttribute('aria-current');
    }
    if (currentIndex === null) return;
    const item = root.querySelector('ol')?.children[currentIndex];
    if (item) {
      item.classList.add('current-step');
      item.setAttribute('aria-current', 'step');
    }
  }, [html, currentIndex]);
  if (doc.isPending) return <Loading what="the document" />;
  if (doc.error) return <ErrorNote error={doc.error} />;
  if (!html?.trim()) return <p className="muted">This procedure has no document.</p>;
  // the server's sanitised HTML (sanitize-html), under a CSP without inline script
  return <div ref={ref} className="procedure-doc" dangerouslySetInnerHTML={{ __html: html }} />;
}
