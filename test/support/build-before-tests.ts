import { spawnSync } from 'node:child_process';
import { buildCli } from '../../scripts/build-cli.ts';

/**
 * Vitest global setup: builds the web UI and the compiled CLI once before the tests (what
 * `npm install` builds through `prepare`), so the browser tests drive the UI of this working tree
 * and the tests that spawn `bin/runledger.js` run its current sources. The CLI takes about a second.
 */
export default async function setup(): Promise<void> {
  await buildCli();
  const result = spawnSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'error'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`building the web UI failed (exit ${result.status})`);
}
