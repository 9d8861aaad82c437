import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxyServer } from 'http-proxy-3';
import { announceReady } from './ready';

// http-proxy-3 alone, the library Portico keeps on its proxied routes, in a plain Node http server: no
// auth, no store, no logs. The floor of `bench/upgrades.ts` for a gateway that must keep this library.

const target = process.env.BENCH_TARGET!;
const proxy = createProxyServer({ target, ws: true });
proxy.on('error', () => undefined);
const server = http.createServer((req, res) => proxy.web(req, res));
server.on('upgrade', (req, socket, head) => proxy.ws(req, socket, head));
server.listen(0, '127.0.0.1', () => announceReady((server.address() as AddressInfo).port));
// A clean exit on SIGTERM, so that a CPU profile (bench/upgrades.ts, BENCH_PROFILE=1) is written.
process.on('SIGTERM', () => server.close(() => process.exit(0)));
