import os from 'node:os';
import type { Command } from 'commander';
import { credentialsFile, readStoredCredentials, writeStoredCredentials } from '../../client/credentials.ts';
import { ApiError } from '../../client/api-error.ts';
import { RunledgerClient } from '../../client/runledger-client.ts';
import type { CliContext } from '../cli-context.ts';
import { askFor } from '../prompt.ts';
import { formatDuration } from '../render/format.ts';

interface LoginFlags {
  username?: string;
  password?: string;
}

/**
 * `runledger login`: signs in, creates an API token for this machine, and stores `{server, token}`
 * (0600) where later commands find it. An API token rather than the session JWT, so the stored
 * credentials do not expire with the session; the previous login's token is revoked.
 */
export function registerLoginCommand(program: Command, ctx: CliContext): void {
  program
    .command('login')
    .description(`Sign in and store the server and an API token in ${displayPath(credentialsFile(ctx.env))} (mode 0600)`)
    .option('-u, --username <name>', 'user name (prompted for on a terminal when missing)')
    .option(
      '-p, --password <password>',
      'password (prompted for, hidden, on a terminal when missing; a flag is visible to other local users)',
    )
    .action(async (flags: LoginFlags) => {
      const username = flags.username ?? (await askFor('Username: ', '--username'));
      const password = flags.password ?? (await askFor('Password: ', '--password', { hidden: true }));
      const { server } = ctx.credentials();
      const client = new RunledgerClient({ server });
      const { user } = await client.login(username, password).catch((e: unknown) => {
        throw lockedOut(e, username);
      });
      const created = await client.createToken(`runledger CLI on ${os.hostname()}`);

      const file = credentialsFile(ctx.env);
      const previous = readStoredCredentials(file);
      writeStoredCredentials(file, { server: client.server, token: created.token, username: user.username, tokenId: created.id });
      if (previous.tokenId && previous.server === client.server) {
        // best effort: the old token may be gone already, or belong to another user
        await client.revokeToken(previous.tokenId).catch(() => undefined);
      }
      ctx.print(`Logged in to ${client.server} as ${user.username}`);
    });
}

/**
 * After repeated failures the server locks the username (429 `TOO_MANY_ATTEMPTS`, even for the
 * right password); say for how long, from `Retry-After`, in the units the rest of the CLI uses.
 */
function lockedOut(e: unknown, username: string): unknown {
  if (!(e instanceof ApiError) || e.code !== 'TOO_MANY_ATTEMPTS' || e.retryAfterSeconds === undefined) return e;
  return new ApiError({
    status: e.status,
    code: e.code,
    detail: `Too many failed sign-in attempts for "${username}"; try again in ${formatDuration(e.retryAfterSeconds * 1000)}`,
    retryAfterSeconds: e.retryAfterSeconds,
    cause: e,
  });
}

function displayPath(file: string): string {
  const home = os.homedir();
  return home && file.startsWith(`${home}/`) ? `~${file.slice(home.length)}` : file;
}
