import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client.ts';

interface Matches {
  seqs: number[];
  count: number;
  truncated: boolean;
  index: number;
}

/**
 * Search across the whole log: the server finds the seqs of matching lines (bounded), the viewer
 * goes to them one by one; `/` focuses the search field.
 */
export function useLogSearch(executionId: string, filters: { level?: string; task?: string }, goTo: (seq: number) => void) {
  const [searchText, setSearchText] = useState('');
  const [needle, setNeedle] = useState('');
  const [matches, setMatches] = useState<Matches | null>(null);
  const searchBox = useRef<HTMLInputElement>(null);

  const search = (q: string, afterSeq: number) =>
    unwrap(
      api.GET('/v1/executions/{id}/logs/search', { params: { path: { id: executionId }, query: { q, afterSeq, limit: 200, ...filters } } }),
    );

  async function runSearch(e: FormEvent) {
    e.preventDefault();
    const text = searchText.trim();
    if (!text) {
      setNeedle('');
      setMatches(null);
      return;
    }
    if (text === needle && matches) return stepSearch(1);
    const found = await search(text, 0);
    setNeedle(text);
    setMatches({ ...found, index: 0 });
    if (found.seqs[0] !== undefined) goTo(found.seqs[0]);
  }

  async function stepSearch(step: 1 | -1) {
    if (!matches || matches.seqs.length === 0) return;
    let { seqs, index } = matches;
    if (step === 1 && index + 1 >= seqs.length) {
      if (seqs.length >= matches.count) return;
      const more = await search(needle, seqs.at(-1)!);
      if (more.seqs.length === 0) return;
      seqs = [...seqs, ...more.seqs];
    }
    index = Math.max(0, Math.min(seqs.length - 1, index + step));
    setMatches({ ...matches, seqs, index });
    goTo(seqs[index]!);
  }

  // `/` focuses the search (unless typing somewhere)
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || (e.target as HTMLElement).closest('input, select, textarea')) return;
      e.preventDefault();
      searchBox.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return { searchText, setSearchText, needle, matches, runSearch, stepSearch, searchBox };
}
