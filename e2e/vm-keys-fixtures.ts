import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { APIRequestContext, Frame, FrameLocator, Page } from '@playwright/test';
import type { PublicSession } from '@/lib/protocol/api';
import { expect } from './fixtures';
import { ENV, fromEnv } from './server-env';

// What the keys, clipboard and phone specs share: a local session, its viewer frame, its home on the host
// (the one place the sandbox shares with the host, so a file the VM's shell writes proves what it ran).

const XTERM_BACKGROUND = [0x1b, 0x1c, 0x1a];

export async function createSession(api: APIRequestContext, name: string): Promise<PublicSession> {
  const res = await api.post('/api/sessions', { data: { name } });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as PublicSession;
}

export function homeOf(sessionId: string): string {
  return path.join(fromEnv(ENV.dataDir), 'vnc', sessionId, 'home');
}

/** A fresh file name in the VM's home and its path on the host. */
export function homeFile(sessionId: string, prefix: string): { name: string; host: string } {
  const name = `${prefix}-${randomBytes(5).toString('hex')}.txt`;
  return { name, host: path.join(homeOf(sessionId), name) };
}

export function readOrNull(file: string): string | null {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
}

export function viewerOf(page: Page): FrameLocator {
  return page.frameLocator('iframe[title^="Desktop of"]');
}

/** The viewer's frame itself, to run the Clipboard API in it (the frame is what the browser allows). */
export function viewerFrame(page: Page): Frame {
  const frame = page.frames().find((f) => /\/vnc\//.test(f.url()));
  if (!frame) throw new Error('no viewer frame on the page');
  return frame;
}

/** Waits until the frame shows a live desktop with the xterm's background on it. */
export async function expectTerminal(page: Page): Promise<FrameLocator> {
  const viewer = viewerOf(page);
  await expect(viewer.getByTestId('connection-badge')).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
  await expect
    .poll(
      () =>
        viewer.getByTestId('vnc-screen').locator('canvas').evaluate((canvas: HTMLCanvasElement, bg: number[]) => {
          const { data, width, height } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
          for (let y = 0; y < height; y += 7) {
            for (let x = 0; x < width; x += 7) {
              const i = (y * width + x) * 4;
              if (data[i] === bg[0] && data[i + 1] === bg[1] && data[i + 2] === bg[2]) return true;
            }
          }
          return false;
        }, XTERM_BACKGROUND),
      { message: 'the desktop shows the terminal', timeout: 15_000 },
    )
    .toBe(true);
  return viewer;
}

/** Waits for a file the VM's shell writes, and says what it holds. */
export async function expectHomeFile(file: string, content: string, timeout = 10_000): Promise<void> {
  await expect.poll(() => readOrNull(file), { message: `${file} written in the VM`, timeout }).toBe(content);
}
