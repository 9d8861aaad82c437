import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// One registry per server instance (not prom-client's global one) so that several gateways in one test
// process keep their own counts.

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'portico_process_' });
  return {
    registry,
    upgrades: new Counter({
      name: 'portico_upgrades_total',
      help: 'WebSocket upgrades by route and outcome (accepted, or the close code / HTTP status of the refusal).',
      labelNames: ['route', 'outcome'] as const,
      registers: [registry],
    }),
    openSockets: new Gauge({
      name: 'portico_open_sockets',
      help: 'WebSockets currently open through the gateway, by route.',
      labelNames: ['route'] as const,
      registers: [registry],
    }),
    bytes: new Counter({
      name: 'portico_proxied_bytes_total',
      help: 'Bytes relayed by the gateway, by route and direction (in = from the client, out = to the client).',
      labelNames: ['route', 'direction'] as const,
      registers: [registry],
    }),
    upgradeSeconds: new Histogram({
      name: 'portico_upgrade_duration_seconds',
      help: 'Time from the upgrade request to the socket being open (or refused).',
      labelNames: ['route'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
  };
}
