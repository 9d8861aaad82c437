import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { announceReady } from './ready';

// http-proxy-middleware's upgrade handler in a plain Node http server, the way its README wires it.

const target = process.env.BENCH_TARGET!;
const proxy = createProxyMiddleware({ target, ws: true });
const server = http.createServer((req, res) => proxy(req, res, () => res.writeHead(404).end()));
server.on('upgrade', proxy.upgrade);
server.listen(0, '127.0.0.1', () => announceReady((server.address() as AddressInfo).port));
// A clean exit on SIGTERM, so that a CPU profile (bench/upgrades.ts, BENCH_PROFILE=1) is written.
process.on('SIGTERM', () => server.close(() => process.exit(0)));
