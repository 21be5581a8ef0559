/**
 * Compiles the CLI (and the server it starts) to JavaScript in dist/cli/, so `runledger` starts
 * without transpiling TypeScript on every call. Run by `npm install` (through `prepare`) and by the
 * tests' global setup.
 *   npm run build:cli
 * One bundle of our sources with code splitting: each command's module is a chunk of its own, loaded
 * only when that command runs; packages stay in node_modules (not bundled), as with the sources.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** dist/cli is two levels below the root, like src/cli: paths such as `../../package.json` hold in both. */
export const CLI_OUT_DIR = path.join(ROOT, 'dist', 'cli');

export async function buildCli(): Promise<void> {
  // Chunk names carry a hash: the previous build's chunks would otherwise stay beside the new ones.
  fs.rmSync(CLI_OUT_DIR, { recursive: true, force: true });
  await build({
    entryPoints: [path.join(ROOT, 'src', 'cli', 'main.ts')],
    outdir: CLI_OUT_DIR,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildCli();
