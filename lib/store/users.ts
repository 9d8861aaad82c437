import type { Db } from './db';
import { newId } from './ids';
import type { Role, User } from './schema';
import type { PublicUser } from '../protocol/api';

export type { ManagedUser, PublicUser } from '../protocol/api';

export const toPublicUser = (u: User): PublicUser => ({ id: u.id, username: u.username, role: u.role });

export const USERNAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export function createUsers(db: Db) {
  return {
    byUsername(username: string): Promise<User | undefined> {
      return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    },
    byId(id: string): Promise<User | undefined> {
      return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    },
    list(): Promise<User[]> {
      return db.selectFrom('users').selectAll().orderBy('username').execute();
    },
    async count(): Promise<number> {
      const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    /** Admins who can still sign in: the ones the last-admin rule protects. */
    async activeAdmins(): Promise<number> {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('role', '=', 'admin')
        .where('disabled_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    /** Inserts a user; resolves to null when the username is taken. */
    async create(input: { username: string; passwordHash: string; role: Role }): Promise<User | null> {
      const row: User = {
        id: newId(),
        username: input.username,
        password_hash: input.passwordHash,
        role: input.role,
        created_at: Date.now(),
        disabled_at: null,
      };
      const res = await db
        .insertInto('users')
        .values(row)
        .onConflict((oc) => oc.column('username').doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) === 1 ? row : null;
    },
    async setRole(id: string, role: Role): Promise<void> {
      await db.updateTable('users').set({ role }).where('id', '=', id).execute();
    },
    async setDisabled(id: string, disabled: boolean): Promise<void> {
      await db.updateTable('users').set({ disabled_at: disabled ? Date.now() : null }).where('id', '=', id).execute();
    },
    async setPasswordHash(id: string, passwordHash: string): Promise<void> {
      await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).execute();
    },
    /** Deletes the user; their projects, sessions and sign-ins go with them (foreign keys cascade). */
    async remove(id: string): Promise<boolean> {
      const res = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) === 1;
    },
  };
}

export type Users = ReturnType<typeof createUsers>;
