import type { TokenClaims } from '../auth/tokens';

// Whether a user may reach what another user owns: only their own, or anything for an admin.
export function owns(user: TokenClaims, ownerId: string): boolean {
  return user.role === 'admin' || user.userId === ownerId;
}
