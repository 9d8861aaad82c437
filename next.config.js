// CommonJS on purpose: package.json has no "type" field (a "type": "module" breaks Turbopack here).

/** @type {import('next').NextConfig} */
module.exports = {
  reactStrictMode: true,
  poweredByHeader: false,
  // server.ts loads these itself; if a route handler ever imports one, Next must require it at run time
  // rather than bundle it (native bindings, worker threads, sockets).
  serverExternalPackages: ['better-sqlite3', 'pino', 'ws', 'http-proxy-3'],
};
