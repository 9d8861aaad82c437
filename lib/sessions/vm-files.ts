import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { cleanRelativePath } from '../build/workspace';
import { HELPER_SOURCE } from './vm-files-helper';
import type { VmHomeEntry, VmHomeListing } from '../protocol/api';
import { HttpError, type HttpErrorCode } from '../errors/http-errors';
import { formatBytes } from '../protocol/format-units';
import type { LocalVm } from './local-vnc';

// Files into and out of a running VM's home, for the session page. The home is written by the VM's own
// uid, which can plant symlinks (to /etc/shadow, to another session's home) or swap a folder for a link
// while a request runs. So the server (root) never touches a path in it: every operation is a short
// helper process (vm-files-helper.ts) started the way the desktop is, as the VM's uid (setpriv) in a
// bubblewrap sandbox whose only writable file system is that home and which sees nothing of the host
// but the read-only system the desktop sees too. Whatever a link there points at, the helper can reach
// only what the VM itself can, and what it writes is owned by the VM's uid.

export type VmFilesTarget = { sessionId: string; home: string; uid: number; sandboxed: boolean };

export type VmFileProblem = 'bad_path' | 'not_found' | 'is_folder' | 'not_a_folder' | 'link' | 'not_a_file' | 'too_large' | 'full' | 'denied' | 'busy' | 'not_running' | 'unsupported' | 'failed';

/** A session's home as the files routes use it: here (local VMs) or on the vmhost (vm-files-remote.ts). */
export type HomeFiles = {
  list(rel: string): Promise<VmHomeListing>;
  read(rel: string): Promise<{ path: string; bytes: number; body: Readable; cancel(): void }>;
  /** `onChunk` may throw to stop the upload (a quota); past `maxBytes` it is a VmFileError too_large. */
  write(rel: string, body: Readable, maxBytes: number, onChunk?: (n: number) => void): Promise<{ path: string; bytes: number; created: boolean }>;
};

const HTTP_CODE: Record<VmFileProblem, HttpErrorCode> = {
  bad_path: 'bad_request',
  not_found: 'not_found',
  is_folder: 'bad_request',
  not_a_folder: 'bad_request',
  link: 'bad_request',
  not_a_file: 'bad_request',
  too_large: 'payload_too_large',
  full: 'insufficient_storage',
  denied: 'forbidden',
  busy: 'too_many_requests',
  not_running: 'conflict',
  unsupported: 'not_implemented',
  failed: 'internal',
};

/** The API's answer to a file operation that failed; other errors pass through. */
export function asHttpError(err: unknown, maxBytes?: number): unknown {
  if (!(err instanceof VmFileError)) return err;
  if (err.problem === 'too_large' && maxBytes !== undefined) return new HttpError('payload_too_large', `The file is larger than ${formatBytes(maxBytes)}, the upload limit.`);
  if (err.problem === 'full') return new HttpError('insufficient_storage');
  return new HttpError(HTTP_CODE[err.problem], err.message);
}

/** Where a local VM's file operations run: its home and uid, or why they cannot. */
export function homeTargetOf(vm: LocalVm | undefined): VmFilesTarget {
  if (!vm) throw new VmFileError('not_running', 'The VM is not running: start it again to move files in or out of its home.');
  if (vm.uid === null) throw new VmFileError('unsupported', 'Moving files needs the VM to run as a user of its own, and this server does not run as root.');
  return { sessionId: vm.sessionId, home: vm.home, uid: vm.uid, sandboxed: vm.sandboxed };
}

export class VmFileError extends Error {
  constructor(readonly problem: VmFileProblem, message: string) {
    super(message);
  }
}

const SANDBOX_HOME = '/home/user';
const PATH = '/usr/local/bin:/usr/bin:/bin';
// The helper is short-lived: a stuck one (a FIFO, a paused client) is killed after this long.
const HELPER_TIMEOUT_MS = 10 * 60_000;
const HEADER_MAX_BYTES = 1024 * 1024;
// How many helpers may run at once on this server (each is a node process of ~40 MB).
const MAX_HELPERS = 8;

const SENTENCES: Record<string, [VmFileProblem, string]> = {
  ENOENT: ['not_found', 'No such file or folder in the home.'],
  EISDIR: ['is_folder', 'That is a folder, not a file.'],
  ENOTDIR: ['not_a_folder', 'Part of that path is a file, not a folder.'],
  ELOOP: ['link', 'That is a symbolic link; links are not followed.'],
  ENOTFILE: ['not_a_file', 'That is not a regular file.'],
  ENOSPC: ['full', "The VM's home is full."],
  EACCES: ['denied', 'The VM user may not read or write that path.'],
  EEXIST: ['failed', 'Something is in the way of that path.'],
  ENAMETOOLONG: ['bad_path', 'That name is too long.'],
  // The route words it with the limit it knows.
  TOO_LARGE: ['too_large', 'The file is too large.'],
  FAILED: ['failed', 'The file operation failed in the VM.'],
};

/** A path in the home by the FileManager's rules (lib/build/workspace.ts); '' is the home itself. */
export function cleanHomePath(input: string, opts: { allowRoot: boolean }): string {
  if (opts.allowRoot && (input === '' || input === '/' || input === '.')) return '';
  try {
    return cleanRelativePath(input).replace(/^\.\//, '');
  } catch (err) {
    throw new VmFileError('bad_path', (err as Error).message.replace('relative to the project', 'relative to the home').replace('out of the project', 'out of the home'));
  }
}

function helperCommand(target: VmFilesTarget, args: string[]): { cmd: string; argv: string[]; cwd: string } {
  const node = process.execPath;
  const inner = [node, '--max-old-space-size=64', '-e', HELPER_SOURCE, '--', ...args];
  const drop = ['/usr/bin/setpriv', '--reuid', String(target.uid), '--regid', String(target.uid), '--clear-groups', '--pdeathsig', 'KILL', '--'];
  if (!target.sandboxed) {
    // No sandbox here (bwrap missing: admins only): the uid is the desktop's, so the helper can reach
    // exactly what the desktop can, which is the promise either way.
    return { cmd: drop[0], argv: [...drop.slice(1), ...inner], cwd: target.home };
  }
  const bwrap = ['/usr/bin/bwrap', '--unshare-all', '--die-with-parent', '--new-session', '--clearenv', '--setenv', 'PATH', PATH, '--setenv', 'HOME', SANDBOX_HOME];
  bwrap.push('--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib');
  if (fs.existsSync('/usr/lib64')) bwrap.push('--symlink', 'usr/lib64', '/lib64');
  if (fs.existsSync('/etc/ld.so.cache')) bwrap.push('--ro-bind', '/etc/ld.so.cache', '/etc/ld.so.cache');
  // A node outside /usr (nvm, a tarball) is mounted read-only where it is, and only it.
  if (!node.startsWith('/usr/')) bwrap.push('--ro-bind', node, node);
  bwrap.push('--proc', '/proc', '--dev', '/dev', '--bind', target.home, SANDBOX_HOME, '--chdir', SANDBOX_HOME, '--remount-ro', '/');
  return { cmd: drop[0], argv: [...drop.slice(1), ...bwrap, '--', ...inner], cwd: '/' };
}

type Header = { ok?: true; error?: string; entries?: VmHomeEntry[]; more?: boolean; bytes?: number; created?: boolean };

export function createVmFiles() {
  let running = 0;

  function startHelper(target: VmFilesTarget, args: string[]): ChildProcess {
    if (running >= MAX_HELPERS) throw new VmFileError('busy', 'Too many file transfers are running on this server; try again in a moment.');
    const { cmd, argv, cwd } = helperCommand(target, args);
    // An environment built from nothing: the server's never reaches a process the VM's uid owns.
    const child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'], env: {} as NodeJS.ProcessEnv, cwd });
    running++;
    const timer = setTimeout(() => child.kill('SIGKILL'), HELPER_TIMEOUT_MS);
    child.once('close', () => {
      running--;
      clearTimeout(timer);
    });
    child.on('error', () => undefined);
    child.stdin!.on('error', () => undefined);
    // What it says on stderr is kept short, for the log line of a failure.
    child.stderr!.resume();
    return child;
  }

  /** Reads the helper's header line; the rest of stdout (a file's bytes) stays in the stream. */
  function readHeader(child: ChildProcess): Promise<Header> {
    return new Promise((resolve, reject) => {
      const out = child.stdout!;
      let buf = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        const nl = buf.indexOf(10);
        if (nl === -1) {
          if (buf.length > HEADER_MAX_BYTES) done(new VmFileError('failed', 'The file helper said too much.'));
          return;
        }
        out.pause();
        out.off('data', onData);
        const rest = buf.subarray(nl + 1);
        if (rest.length) out.unshift(rest);
        try {
          done(null, JSON.parse(buf.subarray(0, nl).toString('utf8')) as Header);
        } catch {
          done(new VmFileError('failed', 'The file helper answered something unreadable.'));
        }
      };
      const onClose = () => done(new VmFileError('failed', 'The file helper ended without an answer (is the sandbox available?).'));
      let settled = false;
      const done = (err: Error | null, h?: Header) => {
        if (settled) return;
        settled = true;
        child.off('close', onClose);
        if (err) {
          child.kill('SIGKILL');
          return reject(err);
        }
        if (h!.error) {
          const [problem, sentence] = SENTENCES[h!.error] ?? SENTENCES.FAILED;
          return reject(new VmFileError(problem, sentence));
        }
        resolve(h!);
      };
      out.on('data', onData);
      child.once('close', onClose);
    });
  }

  return {
    /** One folder of the home (not recursive): what the panel shows. */
    async list(target: VmFilesTarget, rel: string): Promise<{ path: string; entries: VmHomeEntry[]; more: boolean }> {
      const clean = cleanHomePath(rel, { allowRoot: true });
      const child = startHelper(target, ['list', clean]);
      const h = await readHeader(child);
      const entries = (h.entries ?? []).sort((a, b) => (a.type === 'dir') === (b.type === 'dir') ? a.name.localeCompare(b.name) : a.type === 'dir' ? -1 : 1);
      return { path: clean, entries, more: Boolean(h.more) };
    },
    /** A file's bytes: its size first (for Content-Length), then a stream of exactly that many. */
    async read(target: VmFilesTarget, rel: string): Promise<{ path: string; bytes: number; body: Readable; cancel(): void }> {
      const clean = cleanHomePath(rel, { allowRoot: false });
      const child = startHelper(target, ['read', clean]);
      child.stdin!.end();
      const h = await readHeader(child);
      return { path: clean, bytes: h.bytes ?? 0, body: child.stdout!, cancel: () => child.kill('SIGKILL') };
    },
    /**
     * Streams `body` into the home at `rel`, at most `maxBytes`; `onChunk` may throw to stop it (a quota).
     * Nothing partial stays behind: the helper writes a temporary name and renames it at the end.
     */
    async write(target: VmFilesTarget, rel: string, body: Readable, maxBytes: number, onChunk?: (n: number) => void): Promise<{ path: string; bytes: number; created: boolean }> {
      const clean = cleanHomePath(rel, { allowRoot: false });
      const child = startHelper(target, ['write', clean, String(maxBytes)]);
      const answer = readHeader(child);
      answer.catch(() => undefined);
      let bytes = 0;
      let stopped: Error | null = null;
      await new Promise<void>((resolve) => {
        let ended = false;
        const stop = (err: Error | null) => {
          if (ended) return;
          ended = true;
          body.off('data', onData);
          body.off('end', onEnd);
          body.off('error', onError);
          body.pause();
          if (err) {
            stopped = err;
            // Killed, the helper removes its temporary file (SIGTERM) and the target stays as it was.
            child.kill('SIGTERM');
          } else child.stdin!.end();
          resolve();
        };
        const onData = (chunk: Buffer) => {
          bytes += chunk.length;
          try {
            onChunk?.(chunk.length);
          } catch (err) {
            return stop(err as Error);
          }
          if (bytes > maxBytes) {
            child.stdin!.write(chunk);
            return stop(null);
          }
          if (!child.stdin!.write(chunk)) {
            body.pause();
            child.stdin!.once('drain', () => body.resume());
          }
        };
        const onEnd = () => stop(null);
        const onError = (err: Error) => stop(err);
        body.on('data', onData);
        body.once('end', onEnd);
        body.once('error', onError);
        child.once('close', () => stop(stopped ?? null));
      });
      if (stopped) throw stopped;
      const h = await answer.catch((err: unknown) => {
        if (err instanceof VmFileError && err.problem === 'failed' && bytes > maxBytes) throw new VmFileError('too_large', SENTENCES.TOO_LARGE[1]);
        throw err;
      });
      if (bytes > maxBytes) throw new VmFileError('too_large', SENTENCES.TOO_LARGE[1]);
      return { path: clean, bytes: h.bytes ?? bytes, created: Boolean(h.created) };
    },
  };
}

export type VmFiles = ReturnType<typeof createVmFiles>;

/** The operations bound to one local VM's home. */
export function localHomeFiles(files: VmFiles, target: VmFilesTarget): HomeFiles {
  return {
    list: (rel) => files.list(target, rel),
    read: (rel) => files.read(target, rel),
    write: (rel, body, maxBytes, onChunk) => files.write(target, rel, body, maxBytes, onChunk),
  };
}
