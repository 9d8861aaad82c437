import type http from 'node:http';

// How long an idle HTTP/1.1 connection to the dashboard stays open for its next request. Node's default
// (5 s) is shorter than what the clients in front of it keep: nginx's upstream pool (deploy/nginx.conf,
// `keepalive_timeout` 60 s), browsers, HTTP client libraries. A client that sends its next request on a
// pooled connection just as the server closes it gets a reset instead of an answer (seen as ECONNRESET
// on a DELETE in the end-to-end suite). The server must be the last to give up an idle connection, so
// its timeout is above the proxy's. Upgraded sockets are not affected: they leave the HTTP server.
export const KEEP_ALIVE_MS = 65_000;

/** Applies the idle keep-alive timeout to a server whose clients pool connections. */
export function keepIdleConnections(server: http.Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_MS;
}
