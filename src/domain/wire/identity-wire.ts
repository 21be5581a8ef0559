import { z } from 'zod';
import { ROLES, type Role } from '../records.ts';
import { instantWire } from './common-wire.ts';
import { userRefWire } from './execution-wire.ts';

export const roleWire = z.enum(ROLES as unknown as [Role, ...Role[]]);

export const userViewWire = z.object({ id: z.string(), username: z.string(), role: roleWire }).meta({ id: 'UserView' });

/** A user as administrators see it. */
export const userDetailWire = userViewWire
  .extend({
    createdAt: instantWire,
    updatedAt: instantWire,
    disabledAt: instantWire.nullable().meta({ description: 'A disabled user can neither sign in nor use their tokens' }),
    canEditWorkflows: z.boolean(),
  })
  .meta({ id: 'UserDetail' });

export const groupViewWire = z
  .object({
    id: z.string(),
    name: z.string(),
    createdBy: z.string().nullable(),
    createdAt: instantWire,
    members: z.array(userRefWire),
  })
  .meta({ id: 'GroupView' });

/** `POST /v1/auth/login`: a bearer token (JWT) for scripts and the CLI. */
export const loginResultWire = z.object({ token: z.string(), user: userViewWire }).meta({ id: 'LoginResult' });

/** `GET /v1/me`. */
export const meWire = z
  .object({
    id: z.string().nullable(),
    username: z.string().nullable(),
    role: roleWire.nullable(),
    via: z.enum(['user', 'token', 'worker', 'system']),
  })
  .meta({ id: 'Me' });

/** The browser session: who is signed in, the CSRF token to send back, and when the session ends. */
export const browserSessionWire = z
  .object({
    user: userViewWire,
    csrfToken: z.string().meta({ description: 'Send it as X-CSRF-Token on every request that changes something' }),
    expiresAt: instantWire,
  })
  .meta({ id: 'BrowserSession' });

/** An API token's record; its value is never shown again after creation. */
export const apiTokenWire = z
  .object({
    id: z.string(),
    userId: z.string(),
    name: z.string(),
    prefix: z.string(),
    createdAt: instantWire,
    expiresAt: instantWire.nullable(),
    lastUsedAt: instantWire.nullable(),
    revokedAt: instantWire.nullable(),
  })
  .meta({ id: 'ApiToken' });

/** `POST /v1/tokens` (201): the record plus the token value, shown once. */
export const createdApiTokenWire = apiTokenWire.extend({ token: z.string() }).meta({ id: 'CreatedApiToken' });
