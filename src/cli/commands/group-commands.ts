import type { Command } from 'commander';
import type { GroupView } from '../../client/types.ts';
import { CliError } from '../cli-error.ts';
import type { CliContext } from '../cli-context.ts';
import { findGroup, findUsers } from '../principals.ts';
import { formatTimestamp, type Colors } from '../render/format.ts';
import { renderTable } from '../render/table.ts';

interface JsonFlag {
  json?: boolean;
}

/** `runledger group list | create | delete | add | remove`: groups of users that executions are shared with. */
export function registerGroupCommands(program: Command, ctx: CliContext): void {
  const group = program.command('group').description('Groups of users, to share executions with (admins only)');

  group
    .command('list')
    .description('Groups and their members, by name')
    .option('--json', 'print JSON')
    .action(async (flags: JsonFlag) => {
      const groups = await ctx.client().admin.listGroups();
      if (flags.json) return ctx.printJson(groups);
      if (groups.length === 0) return ctx.print('No groups yet; add one with "runledger group create NAME".');
      ctx.print(renderGroupList(groups, ctx.colors));
    });

  group
    .command('create')
    .description('Create an empty group')
    .argument('<name>', 'letters, digits and . _ -')
    .option('--json', 'print the group as JSON')
    .action(async (name: string, flags: JsonFlag) => {
      const created = await ctx.client().admin.createGroup(name);
      if (flags.json) return ctx.printJson(created);
      ctx.print(`group ${created.name}: created`);
    });

  group
    .command('delete')
    .description('Delete a group; executions shared with it are no longer shared with its members')
    .argument('<group>', 'group name or id')
    .action(async (ref: string) => {
      const client = ctx.client();
      const found = await findGroup(client, ref);
      await client.admin.deleteGroup(found.id);
      ctx.print(`group ${found.name}: deleted`);
    });

  group
    .command('add')
    .description('Add users to a group')
    .argument('<group>', 'group name or id')
    .argument('<users...>', 'usernames or ids')
    .option('--json', 'print the group as JSON')
    .action(async (ref: string, userRefs: string[], flags: JsonFlag) => {
      const client = ctx.client();
      const found = await findGroup(client, ref);
      const users = await findUsers(client, userRefs);
      let updated = found;
      for (const user of users) updated = await client.admin.addGroupMember(found.id, user.id);
      if (flags.json) return ctx.printJson(updated);
      ctx.print(`group ${updated.name}: added ${users.map((u) => u.username).join(', ')} (members: ${memberNames(updated)})`);
    });

  group
    .command('remove')
    .description('Remove users from a group; they lose what was shared through it on their next request')
    .argument('<group>', 'group name or id')
    .argument('<users...>', 'usernames or ids')
    .option('--json', 'print the group as JSON')
    .action(async (ref: string, userRefs: string[], flags: JsonFlag) => {
      const client = ctx.client();
      const found = await findGroup(client, ref);
      const users = await findUsers(client, userRefs);
      // Checked here, so the message names the user and the group rather than their ids.
      const outsider = users.find((u) => !found.members.some((m) => m.id === u.id));
      if (outsider) throw new CliError(`${outsider.username} is not a member of group ${found.name}`);
      let updated = found;
      for (const user of users) updated = await client.admin.removeGroupMember(found.id, user.id);
      if (flags.json) return ctx.printJson(updated);
      ctx.print(`group ${updated.name}: removed ${users.map((u) => u.username).join(', ')} (members: ${memberNames(updated)})`);
    });
}

function memberNames(group: GroupView): string {
  return group.members.length === 0 ? 'none' : group.members.map((m) => m.username).join(', ');
}

function renderGroupList(groups: readonly GroupView[], c: Colors): string {
  return renderTable(
    ['ID', 'NAME', 'MEMBERS', 'CREATED'],
    groups.map((g) => [
      g.id,
      g.name,
      g.members.length === 0 ? '-' : g.members.map((m) => m.username).join(', '),
      formatTimestamp(g.createdAt),
    ]),
    c,
  );
}
