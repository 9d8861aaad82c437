import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

// Who may try a password, and how often (issue 10 point 5). Three counters:
// - per client address: every attempt counts (LOGIN_ATTEMPTS_PER_IP per LOGIN_WINDOW_S);
// - per username: failures count (LOGIN_FAILURES_PER_USER per LOGIN_WINDOW_S), whatever address they
//   come from, so a botnet cannot guess one account's password from many addresses;
// - a back-off per username: after LOGIN_FREE_FAILURES failures in a row, each further failure makes the
//   next attempt wait twice as long (1 s, 2 s, 4 s … up to LOGIN_MAX_BACKOFF_S). A success clears it.
// A refusal carries how long to wait, for `Retry-After`.

export type LoginLimitOptions = {
  attemptsPerIp: number;
  failuresPerUser: number;
  windowS: number;
  freeFailures: number;
  maxBackoffS: number;
};

export type LoginRefusal = { retryAfterS: number; sentence: string };

export type LoginLimits = ReturnType<typeof createLoginLimits>;

export function createLoginLimits(o: LoginLimitOptions) {
  const perIp = new RateLimiterMemory({ keyPrefix: 'login-ip', points: o.attemptsPerIp, duration: o.windowS });
  const perUser = new RateLimiterMemory({ keyPrefix: 'login-user', points: o.failuresPerUser, duration: o.windowS });
  // A streak is remembered for a day, so waiting out the window does not reset the back-off.
  const streak = new RateLimiterMemory({ keyPrefix: 'login-streak', points: 1_000_000, duration: 86_400 });
  const backoff = new RateLimiterMemory({ keyPrefix: 'login-backoff', points: 1, duration: o.maxBackoffS });
  const key = (username: string) => username.toLowerCase();
  const wait = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

  return {
    /** Counts an attempt; resolves with a refusal when this one must not be checked at all. */
    async admit(ip: string, username: string): Promise<LoginRefusal | null> {
      const u = key(username);
      const [blocked, failures] = await Promise.all([backoff.get(u), perUser.get(u)]);
      if (blocked && blocked.consumedPoints > 1) {
        return { retryAfterS: wait(blocked.msBeforeNext), sentence: `Too many failed sign-ins for this account; wait ${wait(blocked.msBeforeNext)} s and try again.` };
      }
      if (failures && failures.consumedPoints >= o.failuresPerUser) {
        return { retryAfterS: wait(failures.msBeforeNext), sentence: `Too many failed sign-ins for this account; try again in ${wait(failures.msBeforeNext)} s.` };
      }
      try {
        await perIp.consume(ip);
      } catch (res) {
        if (!(res instanceof RateLimiterRes)) throw res;
        return { retryAfterS: wait(res.msBeforeNext), sentence: `Too many sign-in attempts from your address; try again in ${wait(res.msBeforeNext)} s.` };
      }
      return null;
    },

    async failed(username: string): Promise<void> {
      const u = key(username);
      await perUser.penalty(u, 1);
      const run = await streak.penalty(u, 1);
      const over = run.consumedPoints - o.freeFailures;
      if (over > 0) await backoff.block(u, Math.min(o.maxBackoffS, 2 ** (over - 1)));
    },

    async succeeded(username: string): Promise<void> {
      const u = key(username);
      await Promise.all([perUser.delete(u), streak.delete(u), backoff.delete(u)]);
    },
  };
}
