import fs from 'node:fs';
import path from 'node:path';

// DATA_DIR holds the store, the signing secret and every workspace: no other uid on the host (a VM's
// included, sandboxed or not) may read any of it. Directories a VM's bind mounts pass through (DATA_DIR,
// vnc/) only need to be traversable; what lies in them is the server's alone.

const PRIVATE_FILES = ['portico.db', 'portico.db-wal', 'portico.db-shm', 'jwt-secret'];

export function lockDownDataDir(dataDir: string): void {
  fs.mkdirSync(dataDir, { recursive: true });
  fs.chmodSync(dataDir, 0o711);
  for (const name of PRIVATE_FILES) {
    try {
      fs.chmodSync(path.join(dataDir, name), 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  const workspaces = path.join(dataDir, 'workspaces');
  fs.mkdirSync(workspaces, { recursive: true, mode: 0o700 });
  fs.chmodSync(workspaces, 0o700);
}
