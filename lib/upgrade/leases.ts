// Socket limits (design.md step 5). Behind an interface because on several gateways the counts move to
// Redis leases that expire when a gateway dies; nothing else in lib/ knows which one it has.

export type LeaseRefusal = 'user' | 'global';

export interface Leases {
  /**
   * Takes one socket slot for the user, or says which limit refused it. In memory it answers at once;
   * shared leases (Redis) answer with a promise, and the caller awaits only then, so the embedded path
   * pays no microtask for a question it can answer synchronously.
   */
  acquire(userId: string): LeaseRefusal | null | Promise<LeaseRefusal | null>;
  /** Gives one slot back; never throws (a shared store's failure is logged and the lease expires). */
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
