import type { TokenClaims } from './tokens';

// Who may reach a user's resource: its owner, and admins. One rule for the sockets, the HTTP API, the
// hub's topics and the build backend, so none of them can drift from the others.

export function owns(user: Pick<TokenClaims, 'role' | 'userId'>, ownerId: string): boolean {
  return user.role === 'admin' || user.userId === ownerId;
}
