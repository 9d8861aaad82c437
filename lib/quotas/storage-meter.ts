import fs from 'node:fs/promises';
import path from 'node:path';
import type { Projects } from '../store/projects';
import type { Sessions } from '../store/sessions';
import { vmHomeBytes } from '../sessions/vm-home';
import { workspaceDir } from '../build/workspace';
import { buildDir } from '../build/build-output';
import type { Builds } from '../store/builds';
import { formatBytes } from '../protocol/format-units';

// How many bytes a user's workspaces and their builds' own output folders (and, given `sessions`, their VM
// homes: what each costs the host's disk) hold, against MAX_STORAGE_BYTES_PER_USER. Walking the disk on every
// write would cost more than the write, so the figure is cached per user for a few seconds; bytes still
// streaming in (uploads in DATA_DIR/tmp, not yet in any workspace) are counted on top as they arrive, so
// concurrent uploads cannot each see the same room and together pass the limit.

export class StorageQuotaExceeded extends Error {}

const CACHE_MS = 10_000;
// A walk past this many entries stops counting: the figure is then a floor, and the walk stays cheap.
const MAX_WALK_ENTRIES = 100_000;

// `homes`: what the owner's VM homes cost the disk, read again on every look (a stat per home), since
// they grow without any write of ours to count.
type Entry = { bytes: number; homes: number; at: number };

export type StorageCharge = {
  /** Counts `n` more bytes; throws StorageQuotaExceeded past the limit. */
  add(n: number): void;
  /** The bytes are on disk now; `replaced` when they took the place of an older file. */
  commit(replaced: boolean): void;
  /** The write failed: forget its bytes. */
  cancel(): void;
};

export function createStorageMeter(opts: { dataDir: string; projects: Projects; builds: Pick<Builds, 'idsFor'>; limitBytes: number; sessions?: Sessions }) {
  const cache = new Map<string, Entry>();
  const computing = new Map<string, Promise<Entry>>();
  const inFlight = new Map<string, number>();

  async function measure(ownerId: string): Promise<Entry> {
    let bytes = 0;
    let entries = 0;
    async function walk(dir: string) {
      for (const e of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
        if (++entries > MAX_WALK_ENTRIES) return;
        const abs = path.join(dir, e.name);
        if (e.isDirectory()) await walk(abs);
        else if (e.isFile()) bytes += (await fs.lstat(abs).catch(() => null))?.size ?? 0;
      }
    }
    for (const p of await opts.projects.listFor(ownerId)) {
      await walk(workspaceDir(opts.dataDir, p.id));
      for (const id of await opts.builds.idsFor(p.id)) await walk(buildDir(opts.dataDir, id));
    }
    return { bytes, homes: 0, at: Date.now() };
  }

  async function homes(ownerId: string): Promise<number> {
    let bytes = 0;
    for (const s of (await opts.sessions?.listFor(ownerId)) ?? []) {
      if (s.kind === 'local') bytes += await vmHomeBytes(path.join(opts.dataDir, 'vnc', s.id));
    }
    return bytes;
  }

  async function onDisk(ownerId: string): Promise<Entry> {
    const [entry, h] = await Promise.all([workspaces(ownerId), homes(ownerId)]);
    entry.homes = h;
    return entry;
  }

  async function workspaces(ownerId: string): Promise<Entry> {
    const hit = cache.get(ownerId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit;
    let pending = computing.get(ownerId);
    if (!pending) {
      pending = measure(ownerId).then((e) => {
        cache.set(ownerId, e);
        return e;
      }).finally(() => computing.delete(ownerId));
      computing.set(ownerId, pending);
    }
    return pending;
  }

  const used = (ownerId: string, disk: Entry) => disk.bytes + disk.homes + (inFlight.get(ownerId) ?? 0);
  const refusal = (total: number) =>
    new StorageQuotaExceeded(`This would bring your files to ${formatBytes(total)}; your account may store ${formatBytes(opts.limitBytes)}. Delete files, projects or VM sessions to make room.`);
  const moveInFlight = (ownerId: string, n: number) => {
    const left = (inFlight.get(ownerId) ?? 0) + n;
    if (left > 0) inFlight.set(ownerId, left);
    else inFlight.delete(ownerId);
  };

  return {
    limitBytes: opts.limitBytes,
    /** Bytes stored plus bytes arriving, for the usage answer. */
    async usage(ownerId: string): Promise<number> {
      return used(ownerId, await onDisk(ownerId));
    },
    /** Starts counting one write for `ownerId`; refuses at once when the user is already at the limit. */
    async charge(ownerId: string): Promise<StorageCharge> {
      const disk = await onDisk(ownerId);
      if (used(ownerId, disk) >= opts.limitBytes) throw refusal(used(ownerId, disk));
      let mine = 0;
      let open = true;
      const release = () => {
        if (!open) return false;
        open = false;
        moveInFlight(ownerId, -mine);
        return true;
      };
      return {
        add(n) {
          const total = used(ownerId, cache.get(ownerId) ?? disk) + n;
          if (total > opts.limitBytes) throw refusal(total);
          mine += n;
          moveInFlight(ownerId, n);
        },
        commit(replaced) {
          if (!release()) return;
          // Crediting the old file's size would let concurrent overwrites of one path each subtract it;
          // measuring the disk again is exact.
          if (replaced) return void cache.delete(ownerId);
          const entry = cache.get(ownerId);
          if (entry) entry.bytes += mine;
        },
        cancel() {
          release();
        },
      };
    },
    /** Files went away outside a charge (a delete): measure again next time. */
    forget(ownerId: string): void {
      cache.delete(ownerId);
    },
  };
}

export type StorageMeter = ReturnType<typeof createStorageMeter>;
