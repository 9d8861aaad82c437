import { randomBytes } from 'node:crypto';

/** Ids are 12 url-safe characters (72 random bits): unguessable, and safe in a path without escaping. */
export function newId(): string {
  return randomBytes(9).toString('base64url');
}

// The pattern ids are checked against is part of the wire protocol (lib/protocol/ids.ts).
export { ID_PATTERN, isValidId } from '../protocol/ids';
