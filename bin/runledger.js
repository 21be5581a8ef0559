#!/usr/bin/env node
// Runs the compiled CLI (dist/cli, built by `npm install` through `prepare`, or `npm run build:cli`);
// a checkout where it was never built runs the TypeScript sources through tsx instead (slower start).
import fs from 'node:fs';
import { URL } from 'node:url';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
/** @type {(argv: string[]) => Promise<number>} */
let main;
if (fs.existsSync(compiled)) {
  ({ main } = await import(compiled.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
const code = await main(process.argv);
// A finished command ends the process once its output is written: an idle keep-alive connection to
// the server would otherwise hold it open a while longer. (`serve` and `worker` never get here.)
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
