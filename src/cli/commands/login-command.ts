import os from 'node:os';
import type { Command } from 'commander';
import { credentialsFile, readStoredCredentials, writeStoredCredentials } from '../../client/credentials.ts';
import { RunledgerClient } from '../../client/runledger-client.ts';
import { CliError } from '../cli-error.ts';
import type { CliContext } from '../cli-context.ts';
import { ask, askHidden } from '../prompt.ts';

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
      const username = flags.username ?? (await prompt('Username: ', false, '--username'));
      const password = flags.password ?? (await prompt('Password: ', true, '--password'));
      const { server } = ctx.credentials();
      const client = new RunledgerClient({ server });
      const { user } = await client.login(username, password);
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

async function prompt(question: string, hidden: boolean, flag: string): Promise<string> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) throw new CliError(`${flag} is required when there is no terminal to ask on`);
  const answer = hidden ? await askHidden(question) : await ask(question);
  if (!answer) throw new CliError(`${flag.slice(2)} must not be empty`);
  return answer;
}

function displayPath(file: string): string {
  const home = os.homedir();
  return home && file.startsWith(`${home}/`) ? `~${file.slice(home.length)}` : file;
}
