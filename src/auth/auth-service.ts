import crypto from 'node:crypto';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { InvalidCredentialsError, TokenNotFoundError, TooManyAttemptsError, UnauthenticatedError } from '../domain/errors.ts';
import { recordAuditEvent } from '../observe/audit-logger.ts';
import { AnonymousAuditBudget } from './anonymous-audit-budget.ts';
import { UnknownUserLockout } from './login-lockout.ts';
import { newId } from '../domain/ids.ts';
import type { Actor, User } from '../domain/records.ts';
import { nowIso } from '../domain/time.ts';
import type { Database } from '../store/database-schema.ts';
import * as users from '../store/user-repository.ts';
import { generateApiToken, hashApiToken, looksLikeApiToken } from './api-token-codec.ts';
import type { JwtSigner } from './jwt.ts';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.ts';
import { writePrivateFile } from '../store/private-files.ts';

/** A username as typed, cut to a bounded length for the record. */
function recordedUsername(username: string): string {
  return username.length > MAX_RECORDED_USERNAME ? `${username.slice(0, MAX_RECORDED_USERNAME)}…` : username;
}

export const INITIAL_ADMIN_PASSWORD_FILE = 'initial-admin-password';
export const LOCAL_TOKEN_FILE = 'local-token';
const LOCAL_TOKEN_NAME = 'local-cli';

export function actorOf(user: User, tokenId: string | null = null): Actor {
  return {
    kind: tokenId ? 'token' : 'user',
    userId: user.id,
    username: user.username,
    role: user.role,
    tokenId,
    canEditWorkflows: user.canEditWorkflows,
  };
}

export interface LoginPolicy {
  /** Consecutive failures that lock a username. */
  maxFailures: number;
  /** How long a lockout lasts. */
  lockoutMs: number;
}

/**
 * The one `login` chain of every username that does not exist. Usernames cannot hold `*`, so it never
 * collides with a real one; a chain per made-up name would let anyone open chains without bound.
 */
export const UNKNOWN_USERS_CHAIN = '*unknown-users*';

/** Longest part of a made-up username kept in an audit event (the request allows 200 characters). */
const MAX_RECORDED_USERNAME = 64;

/** Identity: sign-in, bearer tokens (session JWTs and API tokens) and the first administrator. */
export class AuthService {
  private readonly unknownUsers: UnknownUserLockout;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly jwt: JwtSigner,
    private readonly loginPolicy: LoginPolicy = { maxFailures: 5, lockoutMs: 15 * 60_000 },
    /** What failed and refused sign-ins (requests without credentials) may write to the audit trail. */
    private readonly anonymousAudit = new AnonymousAuditBudget(),
  ) {
    this.unknownUsers = new UnknownUserLockout(loginPolicy.maxFailures, loginPolicy.lockoutMs);
  }

  /**
   * Signs in. After `maxFailures` consecutive failures a username is locked for `lockoutMs` (429,
   * whether or not it exists). Every attempt is an audit event on the username's `login` chain (one
   * shared chain for usernames that do not exist); failed and refused ones within the anonymous
   * budget, the rest counted (see `AnonymousAuditBudget`).
   */
  async login(username: string, password: string, source: { ip?: string } = {}): Promise<{ token: string; user: User }> {
    const user = await this.verifyLogin(username, password, source);
    return { token: await this.jwt.sign(user.id), user };
  }

  /**
   * Checks a username and password as `login` does (lockout, audit) and answers with the user; the
   * caller issues the credential (a bearer JWT, or a browser session).
   */
  async verifyLogin(username: string, password: string, source: { ip?: string } = {}): Promise<User> {
    const now = Date.now();
    const found = await users.getUserCredentials(this.db, username);
    const state = found ? await users.getLoginState(this.db, found.user.id) : undefined;
    const lockedMs = state?.lockedUntil ? Math.max(0, Date.parse(state.lockedUntil) - now) : this.unknownUsers.lockedFor(username, now);
    if (lockedMs > 0) {
      await this.auditRejected(username, found?.user ?? null, { reason: 'locked', ip: source.ip });
      throw new TooManyAttemptsError(Math.ceil(lockedMs / 1000));
    }
    // Verify against a dummy hash for unknown users: the answer takes as long either way.
    const ok = await verifyPassword(found?.passwordHash ?? (await dummyPasswordHash()), password);
    if (!found || !ok || found.user.disabledAt) {
      await this.recordFailure(username, found?.user, state?.failedLogins ?? 0, now, {
        reason: !found ? 'unknown_user' : found.user.disabledAt ? 'disabled' : 'wrong_password',
        ip: source.ip,
      });
      throw new InvalidCredentialsError();
    }
    await this.db.transaction().execute(async (trx) => {
      if (state && (state.failedLogins > 0 || state.lockedUntil))
        await users.setLoginState(trx, found.user.id, { failedLogins: 0, lockedUntil: null });
      await recordAuditEvent(trx, {
        subjectType: 'login',
        subjectId: username,
        eventType: 'LOGIN_SUCCEEDED',
        actor: actorOf(found.user),
        metadata: { ip: source.ip },
      });
    });
    return found.user;
  }

  private async recordFailure(
    username: string,
    user: User | undefined,
    failedBefore: number,
    now: number,
    metadata: Record<string, unknown>,
  ): Promise<void> {
    const failures = failedBefore + 1;
    const locks = failures >= this.loginPolicy.maxFailures;
    if (!user) this.unknownUsers.recordFailure(username, now);
    const budget = this.anonymousAudit.take(now);
    if (!user && !budget.write) return;
    const subjectId = user ? user.username : UNKNOWN_USERS_CHAIN;
    const who = {
      username: recordedUsername(username),
      ...(budget.write && budget.unrecordedBefore > 0 ? { unrecordedBefore: budget.unrecordedBefore } : {}),
    };
    await this.db.transaction().execute(async (trx) => {
      if (user) {
        // The lockout is state, not audit: it is kept whatever the budget says.
        await users.setLoginState(trx, user.id, {
          failedLogins: locks ? 0 : failures,
          lockedUntil: locks ? new Date(now + this.loginPolicy.lockoutMs).toISOString() : null,
        });
      }
      if (budget.write) {
        await recordAuditEvent(trx, {
          subjectType: 'login',
          subjectId,
          eventType: 'LOGIN_FAILED',
          actor: null,
          metadata: { ...who, ...metadata },
        });
      }
      // A lock of a real user is always recorded: it happens at most once per lockout period.
      if (locks && user) {
        await recordAuditEvent(trx, {
          subjectType: 'login',
          subjectId,
          eventType: 'LOGIN_LOCKED',
          actor: null,
          metadata: { username: user.username, lockoutMs: this.loginPolicy.lockoutMs },
        });
      }
    });
  }

  /** A sign-in refused while the username is locked: within the anonymous budget, like a failure. */
  private async auditRejected(username: string, user: User | null, metadata: Record<string, unknown>): Promise<void> {
    const budget = this.anonymousAudit.take();
    if (!budget.write) return;
    await this.db.transaction().execute((trx) =>
      recordAuditEvent(trx, {
        subjectType: 'login',
        subjectId: user ? user.username : UNKNOWN_USERS_CHAIN,
        eventType: 'LOGIN_REJECTED',
        actor: null,
        metadata: {
          username: recordedUsername(username),
          ...(budget.unrecordedBefore > 0 ? { unrecordedBefore: budget.unrecordedBefore } : {}),
          ...metadata,
        },
      }),
    );
  }

  /** The actor behind an `Authorization` header value; 401 for anything missing, forged, expired or revoked. */
  async authenticate(header: string | undefined): Promise<Actor> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match) throw new UnauthenticatedError('A bearer token is required (Authorization: Bearer <token>)');
    const token = match[1]!;
    if (looksLikeApiToken(token)) {
      const found = await users.getApiTokenWithUser(this.db, hashApiToken(token));
      const now = nowIso();
      if (!found || found.token.revokedAt || (found.token.expiresAt && found.token.expiresAt <= now))
        throw new UnauthenticatedError('Invalid or expired token');
      const { token: record, user } = found;
      if (user.disabledAt) throw new UnauthenticatedError('Invalid or expired token');
      if (tokenUseIsNews(record.lastUsedAt, now)) await users.touchApiToken(this.db, record.id, now);
      return actorOf(user, record.id);
    }
    const verified = await this.jwt.verify(token);
    const found = verified ? await users.getUserForSession(this.db, verified.userId) : undefined;
    if (!found || found.user.disabledAt) throw new UnauthenticatedError('Invalid or expired token');
    // A password reset voids the tokens issued before it.
    const changedAt = found.credentialsChangedAt;
    if (changedAt && verified!.issuedAtMs < Date.parse(changedAt)) throw new UnauthenticatedError('Invalid or expired token');
    return actorOf(found.user);
  }

  async createApiToken(userId: string, name: string, expiresAt: string | null): Promise<{ token: string; record: users.ApiToken }> {
    const { token, hash, prefix } = generateApiToken();
    const record: users.ApiToken = { id: newId(), userId, name, prefix, createdAt: nowIso(), expiresAt, lastUsedAt: null, revokedAt: null };
    await users.insertApiToken(this.db, { ...record, tokenHash: hash });
    return { token, record };
  }

  listApiTokens(userId: string): Promise<users.ApiToken[]> {
    return users.listApiTokens(this.db, userId);
  }

  async revokeApiToken(userId: string, id: string): Promise<void> {
    if (!(await users.revokeApiToken(this.db, userId, id, nowIso()))) throw new TokenNotFoundError(id);
  }

  /**
   * On first start with no users, creates `admin` with `RUNLEDGER_ADMIN_PASSWORD`, or a random
   * password printed once and written to `<data-dir>/initial-admin-password` (0600).
   */
  async bootstrapAdmin(dataDir: string, password: string | undefined, print: (line: string) => void): Promise<User | undefined> {
    if ((await users.countUsers(this.db)) > 0) return undefined;
    const chosen = password ?? crypto.randomBytes(18).toString('base64url');
    const now = nowIso();
    const id = newId();
    await users.insertUser(this.db, { id, username: 'admin', passwordHash: await hashPassword(chosen), role: 'admin', now });
    if (!password) {
      const file = path.join(dataDir, INITIAL_ADMIN_PASSWORD_FILE);
      writePrivateFile(file, `${chosen}\n`);
      print(`Created user "admin" with password: ${chosen}`);
      print(`(also written to ${file}; change it after signing in)`);
    } else {
      print('Created user "admin" with the password from RUNLEDGER_ADMIN_PASSWORD');
    }
    return users.getUserById(this.db, id);
  }

  /**
   * Keeps an API token for the first administrator in `<data-dir>/local-token` (0600), so the CLI on
   * the same machine works without a login. Whoever can read the data directory can read the
   * database too, so the file grants nothing new. Returns false when there is no active admin.
   */
  async ensureLocalToken(dataDir: string, readExisting: () => string | undefined): Promise<boolean> {
    const existing = readExisting();
    if (existing) {
      try {
        await this.authenticate(`Bearer ${existing}`);
        return true;
      } catch {
        // stale (revoked, user disabled, other database): make a new one
      }
    }
    const admin = (await users.listUsers(this.db)).find((u) => u.role === 'admin' && !u.disabledAt);
    if (!admin) return false;
    const { token } = await this.createApiToken(admin.id, LOCAL_TOKEN_NAME, null);
    writePrivateFile(path.join(dataDir, LOCAL_TOKEN_FILE), `${token}\n`);
    return true;
  }
}

/**
 * `lastUsedAt` is kept to the minute: a token that calls the API many times a second would otherwise
 * cost a write and a commit per request only to move a timestamp by milliseconds.
 */
export const TOKEN_USE_RESOLUTION_MS = 60_000;

function tokenUseIsNews(lastUsedAt: string | null, now: string): boolean {
  return lastUsedAt === null || Date.parse(now) - Date.parse(lastUsedAt) >= TOKEN_USE_RESOLUTION_MS;
}
