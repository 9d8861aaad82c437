import { randomBytes } from 'node:crypto';

/** Ids are 12 url-safe characters (72 random bits): unguessable, and safe in a path without escaping. */
export function newId(): string {
  return randomBytes(9).toString('base64url');
}

/** Accepts the ids this store makes and nothing that could change a path or a query. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function isValidId(id: string): boolean {
  return ID_PATTERN.test(id);
}
