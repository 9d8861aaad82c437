// CommonJS on purpose: package.json has no "type" field (a "type": "module" breaks Turbopack here).

/** @type {import('next').NextConfig} */
module.exports = {
  reactStrictMode: true,
  poweredByHeader: false,
  // server.ts loads these itself; if a route handler ever imports one, Next must require it at run time
  // rather than bundle it (native bindings, worker threads, sockets).
  serverExternalPackages: ['better-sqlite3', 'pino', 'ws', 'http-proxy-3'],
  // In dev, Next only serves its own resources (HMR at /_next/hmr) to pages from `localhost`; everything
  // else gets a bare "Unauthorized". server.ts prints http://127.0.0.1:<port> when it listens on every
  // interface, so that address must work too.
  allowedDevOrigins: ['127.0.0.1'],
  // The build checks only the app (tsconfig.build.json); tests are checked by `npm test`.
  typescript: { tsconfigPath: 'tsconfig.build.json' },
  // One checkout can hold more than one build (e.g. a second worktree's e2e run beside yours); server.ts
  // reads the same variable through this file, so build and server always agree.
  distDir: process.env.NEXT_DIST_DIR || '.next',
};
