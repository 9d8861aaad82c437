import type { Db } from './db';
import { newId } from './ids';
import type { Role, User } from './schema';

export type PublicUser = { id: string; username: string; role: Role };

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
    async count(): Promise<number> {
      const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
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
      };
      const res = await db
        .insertInto('users')
        .values(row)
        .onConflict((oc) => oc.column('username').doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) === 1 ? row : null;
    },
  };
}

export type Users = ReturnType<typeof createUsers>;
