import crypto from 'node:crypto';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { InvalidCredentialsError, TokenNotFoundError, UnauthenticatedError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { Actor, User } from '../domain/records.ts';
import { nowIso } from '../domain/time.ts';
import type { Database } from '../store/database-schema.ts';
import * as users from '../store/user-repository.ts';
import { generateApiToken, hashApiToken, looksLikeApiToken } from './api-token-codec.ts';
import type { JwtSigner } from './jwt.ts';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.ts';
import { writePrivateFile } from './secret-files.ts';

export const INITIAL_ADMIN_PASSWORD_FILE = 'initial-admin-password';
export const LOCAL_TOKEN_FILE = 'local-token';
const LOCAL_TOKEN_NAME = 'local-cli';

export function actorOf(user: User, tokenId: string | null = null): Actor {
  return { kind: tokenId ? 'token' : 'user', userId: user.id, username: user.username, role: user.role, tokenId };
}

/** Identity: sign-in, bearer tokens (session JWTs and API tokens) and the first administrator. */
export class AuthService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly jwt: JwtSigner,
  ) {}

  async login(username: string, password: string): Promise<{ token: string; user: User }> {
    const found = await users.getUserCredentials(this.db, username);
    // Verify against a dummy hash for unknown users: the answer takes as long either way.
    const ok = await verifyPassword(found?.passwordHash ?? (await dummyPasswordHash()), password);
    if (!found || !ok || found.user.disabledAt) throw new InvalidCredentialsError();
    return { token: await this.jwt.sign(found.user.id), user: found.user };
  }

  /** The actor behind an `Authorization` header value; 401 for anything missing, forged, expired or revoked. */
  async authenticate(header: string | undefined): Promise<Actor> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match) throw new UnauthenticatedError('A bearer token is required (Authorization: Bearer <token>)');
    const token = match[1]!;
    if (looksLikeApiToken(token)) {
      const record = await users.getApiTokenByHash(this.db, hashApiToken(token));
      const now = nowIso();
      if (!record || record.revokedAt || (record.expiresAt && record.expiresAt <= now))
        throw new UnauthenticatedError('Invalid or expired token');
      const user = await users.getUserById(this.db, record.userId);
      if (!user || user.disabledAt) throw new UnauthenticatedError('Invalid or expired token');
      await users.touchApiToken(this.db, record.id, now);
      return actorOf(user, record.id);
    }
    const userId = await this.jwt.verify(token);
    const user = userId ? await users.getUserById(this.db, userId) : undefined;
    if (!user || user.disabledAt) throw new UnauthenticatedError('Invalid or expired token');
    return actorOf(user);
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
