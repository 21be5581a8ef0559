import { once, type EventEmitter } from 'node:events';
import pc from 'picocolors';
import { resolveCredentials, type ResolvedCredentials } from '../client/credentials.ts';
import { RunledgerClient } from '../client/runledger-client.ts';
import type { Colors } from './render/format.ts';

/** Where output goes: process.stdout/stderr, or anything with `write` (tests). */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface GlobalOptions {
  server?: string;
  token?: string;
}

/** What every command needs: the environment, the output streams, colours and a client. */
export class CliContext {
  /** The code `main` returns; commands set it when the outcome, not an error, is a failure (`run --wait`). */
  exitCode = 0;
  readonly colors: Colors;
  /** `--server` / `--token`, given before the command or after it; set just before the action runs. */
  globals: GlobalOptions = {};

  constructor(
    readonly env: NodeJS.ProcessEnv,
    readonly cwd: string,
    readonly stdout: OutputStream = process.stdout,
    readonly stderr: OutputStream = process.stderr,
  ) {
    // Colours only for a person at a terminal, and never when NO_COLOR is set (no-color.org).
    this.colors = pc.createColors(Boolean(stdout.isTTY) && !env.NO_COLOR);
  }

  /** Server and token from --server/--token, the environment, `runledger login`, or the local server. */
  credentials(): ResolvedCredentials {
    return resolveCredentials({ flags: this.globals, env: this.env, cwd: this.cwd });
  }

  client(): RunledgerClient {
    const { server, token } = this.credentials();
    return new RunledgerClient({ server, token });
  }

  print(text = ''): void {
    this.stdout.write(`${text}\n`);
  }

  printJson(value: unknown): void {
    this.print(JSON.stringify(value, null, 2));
  }

  /**
   * Writes each chunk to stdout as it arrives, so a long stream is never held whole; waits for
   * `drain` when stdout asks to (a slow pipe).
   */
  async stream(chunks: AsyncIterable<string>): Promise<void> {
    for await (const chunk of chunks) {
      const stdout = this.stdout as OutputStream & Partial<EventEmitter>;
      if (stdout.write(chunk) === false && typeof stdout.once === 'function') await once(stdout as EventEmitter, 'drain');
    }
  }

  /** Progress and hints that are not the command's result; stdout stays clean for scripts. */
  note(text: string): void {
    this.stderr.write(`${text}\n`);
  }
}
