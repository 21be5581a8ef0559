import type { RunledgerClient } from '../client/runledger-client.ts';
import type { GroupView, UserDetail } from '../client/types.ts';
import { CliError } from './cli-error.ts';

/**
 * Users and groups named on the command line by id or by name. The admin routes take ids only, so
 * names are looked up in the lists (admins only: a member gets the server's 403 from the list).
 * An id wins over a name, so a user whose name happens to be another user's id is still reachable.
 */
export async function findUsers(client: RunledgerClient, refs: readonly string[]): Promise<UserDetail[]> {
  const users = await client.admin.listUsers();
  const found = refs.map((ref) => {
    const user = users.find((u) => u.id === ref) ?? users.find((u) => u.username === ref);
    if (!user) throw new CliError(`no user "${ref}" (see "runledger user list")`);
    return user;
  });
  // each user once, however often named (by name and by id, say)
  return found.filter((user, i) => found.findIndex((u) => u.id === user.id) === i);
}

/** One user by username or id; a one-line error when there is none. */
export async function findUser(client: RunledgerClient, ref: string): Promise<UserDetail> {
  return (await findUsers(client, [ref]))[0]!;
}

/** One group by name or id; a one-line error when there is none. */
export async function findGroup(client: RunledgerClient, ref: string): Promise<GroupView> {
  const groups = await client.admin.listGroups();
  const found = groups.find((g) => g.id === ref) ?? groups.find((g) => g.name === ref);
  if (!found) throw new CliError(`no group "${ref}" (see "runledger group list")`);
  return found;
}
