// The names under which global-setup hands the server under test to the tests and to global-teardown.
// Environment variables, because Playwright runs setup, teardown and each worker as separate module loads
// (workers are separate processes) and the environment is what they all share.
export const ENV = {
  url: 'PORTICO_URL',
  adminUsername: 'PORTICO_ADMIN_USERNAME',
  adminPassword: 'PORTICO_ADMIN_PASSWORD',
  pid: 'PORTICO_PID',
  dataDir: 'PORTICO_DATA_DIR',
  emitToken: 'PORTICO_EMIT_TOKEN',
  /** The server's signing secret, so a test can mint a token that is genuinely expired. */
  jwtSecret: 'PORTICO_JWT_SECRET',
  /** The same server behind Debian's nginx running deploy/nginx.conf. */
  nginxUrl: 'PORTICO_NGINX_URL',
  nginxPid: 'PORTICO_NGINX_PID',
  nginxDir: 'PORTICO_NGINX_DIR',
} as const;

export function fromEnv(name: (typeof ENV)[keyof typeof ENV]): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with \`npx playwright test\`, whose global setup starts the server.`);
  return value;
}

/** Signals a process group (the server and tsx's wrapper around it); true if it was still there. */
export function stopGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}
