import type { WebSocket } from 'ws';
import type { BuildEvent, ServerMessage } from '../../lib/protocol/build';

/** Collects what a build socket receives and lets a test wait for a condition on it. */
export function buildWatcher(ws: WebSocket) {
  const messages: ServerMessage[] = [];
  const waiters: { check: () => boolean; resolve: () => void }[] = [];
  ws.on('message', (d) => {
    messages.push(JSON.parse(d.toString()));
    for (const w of [...waiters]) if (w.check()) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const events = () => messages.filter((m): m is BuildEvent => typeof (m as BuildEvent).seq === 'number');
  return {
    messages,
    events,
    until(check: () => boolean, ms = 10_000): Promise<void> {
      if (check()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out; last messages: ${JSON.stringify(messages.slice(-3))}`)), ms);
        waiters.push({ check, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    done: () => events().find((e) => e.type === 'done') as Extract<BuildEvent, { type: 'done' }> | undefined,
  };
}
