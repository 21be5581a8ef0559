import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Where the CLI finds its server and token. Server and token are resolved independently, each from
 * the first of these that has one:
 *
 * 1. `flag`  — the `--server` / `--token` global options;
 * 2. `env`   — `RUNLEDGER_SERVER` / `RUNLEDGER_TOKEN`;
 * 3. `file`  — `$XDG_CONFIG_HOME/runledger/credentials.json` (default `~/.config/…`), written by `runledger login`;
 * 4. `local` — the embedded server of this directory: `<data dir>/server.json` and `<data dir>/local-token`,
 *              the data dir being `RUNLEDGER_DATA_DIR` or `./.runledger`;
 * 5. `default` — server `http://127.0.0.1:8080`, no token.
 */
export type CredentialSource = 'flag' | 'env' | 'file' | 'local' | 'default';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export interface ResolvedCredentials {
  server: string;
  token: string | undefined;
  serverSource: CredentialSource;
  tokenSource: CredentialSource | undefined;
}

export interface CredentialsInput {
  flags?: { server?: string | undefined; token?: string | undefined };
  env: Readonly<Record<string, string | undefined>>;
  /** The directory `./.runledger` is relative to. */
  cwd: string;
}

/** What `runledger login` stores. */
export interface StoredCredentials {
  server: string;
  token: string;
  username?: string;
  /** The API token's id, so the next login can revoke it. */
  tokenId?: string;
}

/** `$XDG_CONFIG_HOME/runledger/credentials.json`, or `$HOME/.config/runledger/credentials.json`. */
export function credentialsFile(env: Readonly<Record<string, string | undefined>>): string {
  const configHome = nonEmpty(env.XDG_CONFIG_HOME) ?? path.join(nonEmpty(env.HOME) ?? os.homedir(), '.config');
  return path.join(configHome, 'runledger', 'credentials.json');
}

/** The data directory of the local embedded server: `RUNLEDGER_DATA_DIR` or `./.runledger`. */
export function localDataDir(env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  return path.resolve(cwd, nonEmpty(env.RUNLEDGER_DATA_DIR) ?? '.runledger');
}

export function readStoredCredentials(file: string): Partial<StoredCredentials> {
  const text = readIfPresent(file);
  if (text === undefined) return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!parsed || typeof parsed !== 'object') return {};
    const { server, token, username, tokenId } = parsed as Record<string, unknown>;
    return {
      ...(typeof server === 'string' && server && { server }),
      ...(typeof token === 'string' && token && { token }),
      ...(typeof username === 'string' && { username }),
      ...(typeof tokenId === 'string' && { tokenId }),
    };
  } catch {
    // a damaged file is as good as none; `runledger login` rewrites it
    return {};
  }
}

/** Writes the credentials file, readable by its owner only (0600, directory 0700). */
export function writeStoredCredentials(file: string, credentials: StoredCredentials): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

/** Server and token, each from the first source that has one (see `CredentialSource`). */
export function resolveCredentials(input: CredentialsInput): ResolvedCredentials {
  const { env } = input;
  const stored = readStoredCredentials(credentialsFile(env));
  const dataDir = localDataDir(env, input.cwd);
  const local = { server: localServerUrl(dataDir), token: nonEmpty(readIfPresent(path.join(dataDir, 'local-token'))?.trim()) };

  const server = first<string>([
    ['flag', nonEmpty(input.flags?.server)],
    ['env', nonEmpty(env.RUNLEDGER_SERVER)],
    ['file', stored.server],
    ['local', local.server],
    ['default', DEFAULT_SERVER],
  ])!;
  const token = first<string>([
    ['flag', nonEmpty(input.flags?.token)],
    ['env', nonEmpty(env.RUNLEDGER_TOKEN)],
    ['file', stored.token],
    ['local', local.token],
  ]);
  return { server: server.value, serverSource: server.source, token: token?.value, tokenSource: token?.source };
}

function localServerUrl(dataDir: string): string | undefined {
  const text = readIfPresent(path.join(dataDir, 'server.json'));
  if (text === undefined) return undefined;
  try {
    const url = (JSON.parse(text) as { url?: unknown }).url;
    return typeof url === 'string' && url ? url : undefined;
  } catch {
    return undefined;
  }
}

function first<T>(candidates: [CredentialSource, T | undefined][]): { value: T; source: CredentialSource } | undefined {
  for (const [source, value] of candidates) if (value !== undefined) return { value, source };
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function readIfPresent(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
