import fs from 'node:fs';
import path from 'node:path';
import type { Bus } from '../hub/bus';
import { isValidId } from '../store/ids';
import { projectFilesTopic } from '../protocol/topics';
import type { FileChange } from '../protocol/hub';

// Watches every workspace on disk and publishes `project:<id>:files` events, so a file changed by
// anything — a build, an upload, an editor, another process — shows up in the FileManager.

export type { FileChange } from '../protocol/hub';

const SETTLE_MS = 60;

export function watchWorkspaces(root: string, bus: Bus) {
  fs.mkdirSync(root, { recursive: true });
  // What exists, per absolute path, so a 'rename' can be told apart as created or deleted.
  const known = new Map<string, number>();
  const pending = new Map<string, NodeJS.Timeout>();

  const seed = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) seed(abs);
      else if (e.isFile()) known.set(abs, fs.statSync(abs).size);
    }
  };
  seed(root);

  function settle(abs: string) {
    pending.delete(abs);
    const rel = path.relative(root, abs).split(path.sep);
    const projectId = rel.shift();
    if (!projectId || !isValidId(projectId) || rel.length === 0) return;
    const topic = projectFilesTopic(projectId);
    const file = rel.join('/');
    let st: fs.Stats | null = null;
    try {
      st = fs.statSync(abs);
    } catch {
      st = null;
    }
    if (st?.isDirectory()) {
      // A folder appeared (or was moved in): its files are news too.
      for (const e of fs.readdirSync(abs, { withFileTypes: true })) schedule(path.join(abs, e.name));
      return;
    }
    if (st?.isFile()) {
      const op = known.has(abs) ? 'changed' : 'created';
      known.set(abs, st.size);
      bus.publish(topic, { op, path: file, bytes: st.size } satisfies FileChange);
    } else if (known.delete(abs)) {
      bus.publish(topic, { op: 'deleted', path: file } satisfies FileChange);
    } else {
      // A folder went away: everything known under it went with it.
      for (const k of [...known.keys()].filter((k) => k.startsWith(abs + path.sep))) {
        known.delete(k);
        bus.publish(topic, { op: 'deleted', path: path.relative(path.join(root, projectId), k).split(path.sep).join('/') } satisfies FileChange);
      }
    }
  }

  function schedule(abs: string) {
    // Editors and our own atomic writes touch a file several times in a row; report it once settled.
    clearTimeout(pending.get(abs));
    pending.set(abs, setTimeout(() => settle(abs), SETTLE_MS));
  }

  const watcher = fs.watch(root, { recursive: true }, (_event, name) => {
    if (name) schedule(path.join(root, name.toString()));
  });
  watcher.on('error', () => undefined);

  return {
    close() {
      watcher.close();
      for (const t of pending.values()) clearTimeout(t);
      pending.clear();
    },
  };
}
