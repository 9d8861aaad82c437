import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from '../net/ports';

// A real Postgres cluster (Debian's postgresql-15) in a temp dir on a loopback port, for the tests and
// `npm run cluster`. Postgres refuses to run as root, so as root every binary runs as the `postgres`
// user (setpriv execs, so the pid we hold is the postmaster's own and signals reach it).

export type PostgresServer = {
  readonly port: number;
  readonly pid: number;
  /** A connection URL for `database` (created by `createDatabase`, or the default `portico`). */
  urlFor(database?: string): string;
  /** A fresh, empty database owned by the cluster's user; returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops it (fast shutdown) and starts it again on the same port: the outage the failure tests make. */
  restart(): Promise<void>;
  close(): Promise<void>;
};

export const POSTGRES_BIN_DIR = '/usr/lib/postgresql/15/bin';
const USER = 'portico';

function asPostgres(cmd: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [path.join(POSTGRES_BIN_DIR, cmd), args];
  return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', path.join(POSTGRES_BIN_DIR, cmd), ...args]];
}

/** `dir` keeps the cluster between runs (`npm run cluster`); then pass the same `password` each time. */
export async function startPostgresServer(opts: { dir?: string; port?: number; password?: string } = {}): Promise<PostgresServer> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'portico-pg-'));
  const ownDir = !opts.dir;
  const data = path.join(dir, 'data');
  const port = opts.port ?? (await freePort());
  const password = opts.password ?? crypto.randomBytes(18).toString('base64url');
  if (process.getuid?.() === 0) spawnSync('chown', ['-R', 'postgres:postgres', dir]);
  const env = { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' } as unknown as NodeJS.ProcessEnv;

  if (!fs.existsSync(path.join(data, 'PG_VERSION'))) {
    const pwfile = path.join(dir, 'pwfile');
    fs.writeFileSync(pwfile, password, { mode: 0o600 });
    if (process.getuid?.() === 0) spawnSync('chown', ['postgres:postgres', pwfile]);
    const [cmd, args] = asPostgres('initdb', ['-D', data, '-U', USER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    const init = spawnSync(cmd, args, { env, encoding: 'utf8' });
    fs.rmSync(pwfile, { force: true });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  }

  let proc: ChildProcess;
  let log = '';
  async function launch() {
    // fsync off: a test cluster trades durability across a power cut for speed; a restart keeps data.
    const [cmd, args] = asPostgres('postgres', ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200']);
    proc = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (d: Buffer) => (log = (log + d).slice(-4000)));
    proc.stderr!.on('data', (d: Buffer) => (log = (log + d).slice(-4000)));
    await waitForPort(port, { timeoutMs: 20_000, gaveUp: () => (proc.exitCode !== null ? `postgres did not start: ${log}` : null) });
    await acceptsQueries();
  }
  // The port opens before recovery ends ("the database system is starting up"): only a query that
  // succeeds means a test's next step meets a working server, so start and restart wait for one.
  async function acceptsQueries(timeoutMs = 20_000) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`postgres stopped while starting: ${log}`);
      const failed = await new Promise<string | null>((resolve) =>
        execFile('/usr/bin/psql', ['-h', '127.0.0.1', '-p', String(port), '-U', USER, '-d', 'postgres', '-Atc', 'select 1'], { env: { ...env, PGPASSWORD: password }, timeout: 5000 }, (err, _out, stderr) =>
          resolve(err ? String(stderr).trim() || err.message : null),
        ),
      );
      if (failed === null) return;
      // A kept cluster started with another password never starts answering: say so now.
      if (/password authentication failed/.test(failed)) throw new Error(`postgres: ${failed}`);
      if (Date.now() > until) throw new Error(`postgres did not answer a query within ${timeoutMs} ms: ${failed}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  async function stop() {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGINT'); // fast shutdown: disconnects clients, no crash recovery needed on start
    const kill = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(kill);
  }

  const urlFor = (database = USER) => `postgres://${USER}:${password}@127.0.0.1:${port}/${database}`;
  async function databaseExists(name: string) {
    const r = spawnSync('/usr/bin/psql', ['-h', '127.0.0.1', '-p', String(port), '-U', USER, '-d', 'postgres', '-Atc', `select 1 from pg_database where datname = '${name}'`], { env: { ...env, PGPASSWORD: password }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`postgres: ${r.stderr.trim()}`);
    return r.stdout.trim() === '1';
  }
  async function createDatabase(name = `t_${crypto.randomBytes(6).toString('hex')}`) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a database name: ${name}`);
    const created = spawnSync('/usr/bin/createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', USER, name], { env: { ...env, PGPASSWORD: password }, encoding: 'utf8' });
    if (created.status !== 0) throw new Error(`createdb ${name} failed: ${created.stderr}`);
    return urlFor(name);
  }

  await launch();
  if (!(await databaseExists(USER))) await createDatabase(USER);
  return {
    port,
    get pid() {
      return proc.pid!;
    },
    urlFor,
    createDatabase,
    async restart() {
      await stop();
      await launch();
    },
    async close() {
      await stop();
      if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
