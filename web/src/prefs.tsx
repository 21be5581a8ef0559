import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { TimeZonePref } from './lib/format.ts';

/** The reader's preferences, remembered in this browser. */
export interface Prefs {
  timeZone: TimeZonePref;
  theme: 'system' | 'light' | 'dark';
  logWrap: boolean;
  logTimestamps: boolean;
}

const DEFAULTS: Prefs = { timeZone: 'local', theme: 'system', logWrap: false, logTimestamps: true };
const KEY = 'runledger.prefs';

function load(): Prefs {
  try {
    const stored = JSON.parse(window.localStorage.getItem(KEY) ?? '{}') as Partial<Prefs>;
    return {
      timeZone: stored.timeZone === 'utc' ? 'utc' : 'local',
      theme: stored.theme === 'light' || stored.theme === 'dark' ? stored.theme : 'system',
      logWrap: stored.logWrap === true,
      logTimestamps: stored.logTimestamps !== false,
    };
  } catch {
    return DEFAULTS;
  }
}

interface PrefsContextValue {
  prefs: Prefs;
  setPrefs: (change: Partial<Prefs>) => void;
}

const PrefsContext = createContext<PrefsContextValue>({ prefs: DEFAULTS, setPrefs: () => undefined });

function systemDark(): boolean {
  return window.matchMedia('(prefers-color-scheme: dark)').matches;
}

export function PrefsProvider({ children }: { children: ReactNode }) {
  const [prefs, set] = useState<Prefs>(load);
  const [dark, setDark] = useState(systemDark);
  useEffect(() => {
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => setDark(media.matches);
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }, []);
  const resolved = prefs.theme === 'system' ? (dark ? 'dark' : 'light') : prefs.theme;
  useEffect(() => {
    document.documentElement.dataset.theme = resolved;
  }, [resolved]);
  const value = useMemo<PrefsContextValue>(
    () => ({
      prefs,
      setPrefs(change) {
        set((current) => {
          const next = { ...current, ...change };
          window.localStorage.setItem(KEY, JSON.stringify(next));
          return next;
        });
      },
    }),
    [prefs],
  );
  return <PrefsContext.Provider value={value}>{children}</PrefsContext.Provider>;
}

export function usePrefs(): PrefsContextValue {
  return useContext(PrefsContext);
}

/** Whether dark mode is on now (the toggle's state). */
export function useResolvedTheme(): 'light' | 'dark' {
  const { prefs } = usePrefs();
  return prefs.theme === 'system' ? (systemDark() ? 'dark' : 'light') : prefs.theme;
}
