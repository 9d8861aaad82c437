import { randomBytes } from 'node:crypto';
import { hashPassword } from './passwords';
import type { Users } from '../store/users';

/**
 * First start: create the admin from ADMIN_USERNAME / ADMIN_PASSWORD, or with a generated password
 * that is returned so the caller can print it exactly once. Later starts leave the users alone.
 */
export async function ensureAdmin(
  users: Users,
  username: string,
  password: string | undefined,
): Promise<{ created: false } | { created: true; username: string; generatedPassword: string | null }> {
  if ((await users.count()) > 0) return { created: false };
  const generated = password ? null : randomBytes(12).toString('base64url');
  const made = await users.create({ username, passwordHash: await hashPassword(password ?? generated!), role: 'admin' });
  // Two gateways starting at once on one empty database (Postgres) both see no users; the one whose insert
  // lost made nothing, and must not print a password that was never stored.
  if (!made) return { created: false };
  return { created: true, username, generatedPassword: generated };
}
