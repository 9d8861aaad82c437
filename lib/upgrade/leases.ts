// Socket limits (design.md step 5). Behind an interface because on several gateways the counts move to
// Redis leases that expire when a gateway dies; nothing else in lib/ knows which one it has.

export type LeaseRefusal = 'user' | 'global';

export interface Leases {
  /** Takes one socket slot for the user, or says which limit refused it. */
  acquire(userId: string): LeaseRefusal | null;
  release(userId: string): void;
  countFor(userId: string): number;
  readonly total: number;
}

export function createMemoryLeases(maxTotal: number, maxPerUser: number): Leases {
  const perUser = new Map<string, number>();
  let total = 0;
  return {
    acquire(userId) {
      if (total >= maxTotal) return 'global';
      const n = perUser.get(userId) ?? 0;
      if (n >= maxPerUser) return 'user';
      perUser.set(userId, n + 1);
      total++;
      return null;
    },
    release(userId) {
      const n = perUser.get(userId) ?? 0;
      if (n <= 0) return;
      if (n === 1) perUser.delete(userId);
      else perUser.set(userId, n - 1);
      total--;
    },
    countFor(userId) {
      return perUser.get(userId) ?? 0;
    },
    get total() {
      return total;
    },
  };
}
