import type { Page } from '@playwright/test';

// A network where the build socket cannot open (a proxy that refuses upgrades), made in the page itself:
// sockets to /api/build/ fail before they open with 1006 while `window.blockBuildSockets` is true; other
// sockets are real. A spec sets the flag to false to let the socket through again.

/** Installs the blocking WebSocket in every document `page` loads from now on. */
export async function blockBuildSockets(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { blockBuildSockets: boolean };
    w.blockBuildSockets = true;
    const Real = window.WebSocket;
    class Blocked extends EventTarget {
      readyState = 0;
      bufferedAmount = 0;
      protocol = '';
      extensions = '';
      binaryType = 'blob';
      onopen: ((e: Event) => void) | null = null;
      onmessage: ((e: MessageEvent) => void) | null = null;
      onerror: ((e: Event) => void) | null = null;
      onclose: ((e: CloseEvent) => void) | null = null;
      constructor(readonly url: string) {
        super();
        setTimeout(() => {
          this.readyState = 3;
          const error = new Event('error');
          this.onerror?.(error);
          this.dispatchEvent(error);
          const close = new CloseEvent('close', { code: 1006, wasClean: false });
          this.onclose?.(close);
          this.dispatchEvent(close);
        }, 20);
      }
      send() {
        throw new DOMException('WebSocket is not open.', 'InvalidStateError');
      }
      close() {}
    }
    window.WebSocket = new Proxy(Real, {
      construct(target, args: [string | URL, (string | string[])?]) {
        return w.blockBuildSockets && String(args[0]).includes('/api/build/') ? (new Blocked(String(args[0])) as unknown as WebSocket) : new target(...args);
      },
    });
  });
}
