import { spawnSync } from 'node:child_process';

/**
 * Vitest global setup: builds the web UI once before the tests, so the browser tests drive the UI
 * of this working tree (what `npm install` builds through `prepare`).
 */
export default function setup(): void {
  const result = spawnSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'error'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`building the web UI failed (exit ${result.status})`);
}
