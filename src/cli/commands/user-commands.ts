import { Argument, Option, type Command } from 'commander';
import type { Role, UserChanges, UserDetail } from '../../client/types.ts';
import type { CliContext } from '../cli-context.ts';
import { findUser } from '../principals.ts';
import { askNewPassword } from '../prompt.ts';
import { formatTimestamp, type Colors } from '../render/format.ts';
import { renderTable } from '../render/table.ts';

const ROLES: readonly Role[] = ['admin', 'member'];

const PASSWORD_HELP = 'at least 8 characters (asked for twice, hidden, on a terminal when missing; a flag is visible to other local users)';

interface JsonFlag {
  json?: boolean;
}

interface CreateFlags extends JsonFlag {
  password?: string;
  role: Role;
  canEditWorkflows?: boolean;
}

/** `runledger user list | create | disable | enable | set-role | reset-password | grant-workflows | revoke-workflows`. */
export function registerUserCommands(program: Command, ctx: CliContext): void {
  const user = program.command('user').description('Users, roles, passwords and the workflow-editing grant (admins only)');

  user
    .command('list')
    .description('Users, by name')
    .option('--json', 'print JSON')
    .action(async (flags: JsonFlag) => {
      const users = await ctx.client().admin.listUsers();
      if (flags.json) return ctx.printJson(users);
      ctx.print(renderUserList(users, ctx.colors));
    });

  user
    .command('create')
    .description('Create a user: a member who may read and run workflows, unless --role or --can-edit-workflows say more')
    .argument('<username>', 'letters, digits and . _ @ -')
    .option('-p, --password <password>', PASSWORD_HELP)
    .addOption(new Option('--role <role>', 'role').choices(ROLES).default('member'))
    .option('--can-edit-workflows', 'may also create, edit and delete workflows')
    .option('--json', 'print the user as JSON')
    .action(async (username: string, flags: CreateFlags) => {
      const password = flags.password ?? (await askNewPassword(`Password for ${username}: `, '--password'));
      const created = await ctx
        .client()
        .admin.createUser({ username, password, role: flags.role, canEditWorkflows: flags.canEditWorkflows ?? false });
      if (flags.json) return ctx.printJson(created);
      ctx.print(`user ${created.username}: created (${describeAccess(created)})`);
    });

  user
    .command('disable')
    .description('Disable a user: they can no longer sign in, and their sessions and API tokens stop working at once')
    .argument('<user>', 'username or id')
    .option('--json', 'print the user as JSON')
    .action((ref: string, flags: JsonFlag) => changeUser(ctx, ref, { disabled: true }, flags, () => 'disabled'));

  user
    .command('enable')
    .description('Enable a disabled user again')
    .argument('<user>', 'username or id')
    .option('--json', 'print the user as JSON')
    .action((ref: string, flags: JsonFlag) => changeUser(ctx, ref, { disabled: false }, flags, () => 'enabled'));

  user
    .command('set-role')
    .description('Make a user an admin or a member')
    .argument('<user>', 'username or id')
    .addArgument(new Argument('<role>', 'admin or member').choices(ROLES))
    .option('--json', 'print the user as JSON')
    .action((ref: string, role: Role, flags: JsonFlag) => changeUser(ctx, ref, { role }, flags, (u) => `role ${u.role}`));

  user
    .command('reset-password')
    .description("Set a user's password")
    .argument('<user>', 'username or id')
    .option('-p, --password <password>', PASSWORD_HELP)
    .option('--json', 'print the user as JSON')
    .action(async (ref: string, flags: JsonFlag & { password?: string }) => {
      const client = ctx.client();
      // Found before asking, so a mistyped name fails before anyone types a password.
      const target = await findUser(client, ref);
      const password = flags.password ?? (await askNewPassword(`New password for ${target.username}: `, '--password'));
      const updated = await client.admin.updateUser(target.id, { password });
      if (flags.json) return ctx.printJson(updated);
      ctx.print(`user ${updated.username}: password reset`);
    });

  user
    .command('grant-workflows')
    .description('Allow a user to create, edit and delete workflows')
    .argument('<user>', 'username or id')
    .option('--json', 'print the user as JSON')
    .action((ref: string, flags: JsonFlag) =>
      changeUser(ctx, ref, { canEditWorkflows: true }, flags, () => 'may create, edit and delete workflows'),
    );

  user
    .command('revoke-workflows')
    .description('Withdraw the workflow-editing grant (admins still edit workflows as admins)')
    .argument('<user>', 'username or id')
    .option('--json', 'print the user as JSON')
    .action((ref: string, flags: JsonFlag) =>
      changeUser(
        ctx,
        ref,
        { canEditWorkflows: false },
        flags,
        (u) => `may no longer create, edit or delete workflows${u.role === 'admin' ? ' (except as an admin)' : ''}`,
      ),
    );
}

/** Sends one change to the user named by username or id and prints `user <name>: <outcome>`. */
async function changeUser(
  ctx: CliContext,
  ref: string,
  changes: UserChanges,
  flags: JsonFlag,
  outcome: (updated: UserDetail) => string,
): Promise<void> {
  const client = ctx.client();
  const updated = await client.admin.updateUser((await findUser(client, ref)).id, changes);
  if (flags.json) return ctx.printJson(updated);
  ctx.print(`user ${updated.username}: ${outcome(updated)}`);
}

/** `member`, `member, may edit workflows`, `admin`. */
function describeAccess(u: UserDetail): string {
  return u.canEditWorkflows && u.role !== 'admin' ? `${u.role}, may edit workflows` : u.role;
}

function renderUserList(users: readonly UserDetail[], c: Colors): string {
  return renderTable(
    ['ID', 'USERNAME', 'ROLE', 'WORKFLOWS', 'STATUS', 'CREATED'],
    users.map((u) => [
      u.id,
      u.username,
      u.role,
      u.canEditWorkflows ? 'edit' : u.role === 'admin' ? 'edit (admin)' : 'run',
      u.disabledAt ? c.red(`disabled ${formatTimestamp(u.disabledAt)}`) : 'active',
      formatTimestamp(u.createdAt),
    ]),
    c,
  );
}
