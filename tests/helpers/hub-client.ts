import type { WebSocket } from 'ws';

type Msg = Record<string, unknown>;

/** Reads a hub socket as a queue: `next()` is the next message, `until()` waits for a matching one. */
export function hubReader(ws: WebSocket) {
  const seen: Msg[] = [];
  let cursor = 0;
  const waiters: (() => void)[] = [];
  ws.on('message', (d) => {
    seen.push(JSON.parse(d.toString()));
    for (const w of waiters.splice(0)) w();
  });
  const arrived = () => new Promise<void>((r) => waiters.push(r));
  return {
    seen,
    async next(ms = 5000): Promise<Msg> {
      const until = Date.now() + ms;
      while (cursor >= seen.length) {
        if (Date.now() > until) throw new Error('no message in time');
        await Promise.race([arrived(), new Promise((r) => setTimeout(r, 50))]);
      }
      return seen[cursor++];
    },
    async until(match: (m: Msg) => boolean, ms = 5000): Promise<Msg> {
      const until = Date.now() + ms;
      for (;;) {
        const found = seen.find(match);
        if (found) return found;
        if (Date.now() > until) throw new Error(`no matching message in time; saw ${JSON.stringify(seen.slice(-5))}`);
        await Promise.race([arrived(), new Promise((r) => setTimeout(r, 50))]);
      }
    },
  };
}
