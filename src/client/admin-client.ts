import { enc, type HttpTransport } from './http-transport.ts';
import type { CleanupReport, CleanupRequest, GroupView, ListResult, NewUser, RetentionStats, UserChanges, UserDetail } from './types.ts';

/**
 * Administration (`client.admin`): users, groups and retention. Admins only: members get
 * `FORBIDDEN` from every request here.
 */
export class AdminClient {
  constructor(private readonly http: HttpTransport) {}

  // --- users ---

  async listUsers(): Promise<UserDetail[]> {
    return (await this.http.request<ListResult<UserDetail>>('GET', '/v1/admin/users')).items;
  }

  /** Fails with `CONFLICT` when the username is taken. */
  createUser(user: NewUser): Promise<UserDetail> {
    return this.http.request('POST', '/v1/admin/users', { body: user });
  }

  /** Changes role, password, grant or disabled state; fails with `USER_NOT_FOUND`. */
  updateUser(id: string, changes: UserChanges): Promise<UserDetail> {
    return this.http.request('PATCH', `/v1/admin/users/${enc(id)}`, { body: changes });
  }

  // --- groups ---

  async listGroups(): Promise<GroupView[]> {
    return (await this.http.request<ListResult<GroupView>>('GET', '/v1/admin/groups')).items;
  }

  createGroup(name: string): Promise<GroupView> {
    return this.http.request('POST', '/v1/admin/groups', { body: { name } });
  }

  /** Deletes the group; the executions shared with it are no longer shared with its members. */
  async deleteGroup(id: string): Promise<void> {
    await this.http.request('DELETE', `/v1/admin/groups/${enc(id)}`);
  }

  /** Adds a member (nothing changes when they are one already); answers with the group. */
  addGroupMember(groupId: string, userId: string): Promise<GroupView> {
    return this.http.request('PUT', `/v1/admin/groups/${enc(groupId)}/members/${enc(userId)}`);
  }

  /** Removes a member, effective on their next request; answers with the group. */
  removeGroupMember(groupId: string, userId: string): Promise<GroupView> {
    return this.http.request('DELETE', `/v1/admin/groups/${enc(groupId)}/members/${enc(userId)}`);
  }

  // --- retention ---

  /** Row counts and sizes of the store, executions by status, the oldest records, the retention policy. */
  retentionStats(): Promise<RetentionStats> {
    return this.http.request('GET', '/v1/admin/retention/stats');
  }

  /**
   * Deletes the log lines (and purges the audit chains) of executions that ended before the
   * retention cutoffs; with `dryRun`, only reports what would go.
   */
  cleanup(request: CleanupRequest = {}): Promise<CleanupReport> {
    return this.http.request('POST', '/v1/admin/retention/cleanup', {
      body: {
        dryRun: request.dryRun ?? false,
        ...(request.olderThanDays !== undefined && { olderThanDays: request.olderThanDays }),
        ...(request.status !== undefined && { status: request.status }),
      },
    });
  }
}
