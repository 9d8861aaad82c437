import path from 'node:path';
import { spawnPinned, type Proc } from './procs';
import { CLIENT_CORE } from './targets';

// The orchestrator's side of the load client (bench/client.ts): a process of its own on the client core,
// driven over the IPC channel, one measurement at a time.

const ROOT = path.resolve(__dirname, '..');

export type Client = { call<T>(task: string, ...args: unknown[]): Promise<T> };

export function startClient(): Promise<{ client: Client; proc: Proc }> {
  const proc = spawnPinned('load-client', process.execPath, ['--import', 'tsx', path.join(__dirname, 'client.ts')], { core: CLIENT_CORE, cwd: ROOT, ipc: true });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  proc.child.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`load client exited (${code}):\n${proc.output().slice(-2000)}`));
  });
  return new Promise((resolve, reject) => {
    proc.child.once('exit', () => reject(new Error(`load client did not start:\n${proc.output()}`)));
    proc.child.on('message', (m: { ready?: boolean; id?: number; ok?: boolean; result?: unknown; error?: string }) => {
      if (m.ready) {
        return resolve({
          proc,
          client: {
            call<T>(task: string, ...args: unknown[]) {
              const id = nextId++;
              proc.child.send({ id, task, args });
              return new Promise<T>((res, rej) => pending.set(id, { resolve: res as (v: unknown) => void, reject: rej }));
            },
          },
        });
      }
      const p = pending.get(m.id!);
      pending.delete(m.id!);
      if (m.ok) p?.resolve(m.result);
      else p?.reject(new Error(m.error));
    });
  });
}
