import { InvalidArgumentError, type Command } from 'commander';
import { credentialsFile, readStoredCredentials } from '../../client/credentials.ts';
import type { ApiTokenView } from '../../client/types.ts';
import { parseDurationMs } from '../../domain/duration.ts';
import { CliError } from '../cli-error.ts';
import type { CliContext } from '../cli-context.ts';
import { formatTimestamp, type Colors } from '../render/format.ts';
import { renderTable } from '../render/table.ts';

interface JsonFlag {
  json?: boolean;
}

/** `runledger token list | create | revoke`: the API tokens of the signed-in user. */
export function registerTokenCommands(program: Command, ctx: CliContext): void {
  const token = program.command('token').description('Your API tokens, for scripts and CI (RUNLEDGER_TOKEN)');

  token
    .command('list')
    .description('Your API tokens, revoked and expired ones included (never their values)')
    .option('--json', 'print JSON')
    .action(async (flags: JsonFlag) => {
      const tokens = await ctx.client().listTokens();
      if (flags.json) return ctx.printJson(tokens);
      if (tokens.length === 0) return ctx.print('No API tokens; create one with "runledger token create NAME".');
      ctx.print(renderTokenList(tokens, ctx.colors));
    });

  token
    .command('create')
    .description('Create an API token and print it; it is shown only this once')
    .argument('<name>', 'what it is for, e.g. "deploy pipeline"')
    .option('--expires <when>', 'an ISO-8601 date or timestamp, or a duration from now such as 90d or 12h (default: never)', expiry)
    .option('--json', 'print the token and its record as JSON')
    .action(async (name: string, flags: JsonFlag & { expires?: string }) => {
      const created = await ctx.client().createToken(name, flags.expires === undefined ? {} : { expiresAt: flags.expires });
      if (flags.json) return ctx.printJson(created);
      // Only the value on stdout, so `RUNLEDGER_TOKEN=$(runledger token create ci)` works.
      ctx.print(created.token);
      ctx.note(
        `token "${created.name}" (id ${created.id}, expires ${created.expiresAt ? formatTimestamp(created.expiresAt) : 'never'}): ` +
          'this is the only time it is shown',
      );
    });

  token
    .command('revoke')
    .description('Revoke one of your API tokens; it stops working at once')
    .argument('<token>', 'token id, or the name of exactly one active token')
    .action(async (ref: string) => {
      const client = ctx.client();
      const found = findToken(await client.listTokens(), ref);
      await client.revokeToken(found.id);
      ctx.print(`token ${found.id} ("${found.name}"): revoked`);
      if (readStoredCredentials(credentialsFile(ctx.env)).tokenId === found.id)
        ctx.note('It was the token "runledger login" stored; sign in again with "runledger login"');
    });
}

/** `--expires`: a date or timestamp, or a duration from now; in the future either way. */
function expiry(value: string): string {
  const now = Date.now();
  const fromNow = parseDurationMs(value);
  const at = fromNow === undefined ? Date.parse(value) : now + fromNow;
  if (Number.isNaN(at)) throw new InvalidArgumentError('expected an ISO-8601 date or timestamp (2026-01-31) or a duration (90d)');
  if (at <= now) throw new InvalidArgumentError('expected a time in the future');
  return new Date(at).toISOString();
}

function findToken(tokens: readonly ApiTokenView[], ref: string): ApiTokenView {
  const byId = tokens.find((t) => t.id === ref);
  const found = byId ? [byId] : tokens.filter((t) => t.name === ref && !t.revokedAt);
  if (found.length === 0) throw new CliError(`no token "${ref}" (see "runledger token list")`);
  if (found.length > 1)
    throw new CliError(`${found.length} active tokens are named "${ref}"; revoke one by id (see "runledger token list")`);
  const token = found[0]!;
  if (token.revokedAt)
    throw new CliError(`token ${token.id} ("${token.name}") was revoked already, at ${formatTimestamp(token.revokedAt)}`);
  return token;
}

function tokenStatus(t: ApiTokenView, c: Colors): string {
  if (t.revokedAt) return c.dim('revoked');
  if (t.expiresAt && Date.parse(t.expiresAt) <= Date.now()) return c.dim('expired');
  return 'active';
}

function renderTokenList(tokens: readonly ApiTokenView[], c: Colors): string {
  return renderTable(
    ['ID', 'NAME', 'PREFIX', 'STATUS', 'CREATED', 'EXPIRES', 'LAST USED'],
    tokens.map((t) => [
      t.id,
      t.name,
      t.prefix,
      tokenStatus(t, c),
      formatTimestamp(t.createdAt),
      t.expiresAt ? formatTimestamp(t.expiresAt) : 'never',
      formatTimestamp(t.lastUsedAt),
    ]),
    c,
  );
}
