import os from 'node:os';
import type { Bus } from './bus';
import type { SystemSample } from '../protocol/api';
import { SYSTEM_TOPIC } from '../protocol/topics';

// The `system` topic: what the status page charts. Sampled every 2 s, and only while someone watches.

export const SYSTEM_INTERVAL_MS = 2000;

export type { SystemSample } from '../protocol/api';

export function publishSystemStats(bus: Bus, read: () => { sockets: Record<string, number>; activeBuilds: number | null }, intervalMs = SYSTEM_INTERVAL_MS) {
  let lastCpu = process.cpuUsage();
  let lastAt = process.hrtime.bigint();
  const timer = setInterval(() => {
    const now = process.hrtime.bigint();
    const cpu = process.cpuUsage(lastCpu);
    const elapsedUs = Number(now - lastAt) / 1000;
    lastCpu = process.cpuUsage();
    lastAt = now;
    if (bus.listenerCount(SYSTEM_TOPIC) === 0) return;
    const mem = process.memoryUsage();
    const { sockets, activeBuilds } = read();
    const sample: SystemSample = {
      at: Date.now(),
      // Of one core, as `top` shows a process.
      cpuPercent: Math.round(((cpu.user + cpu.system) / elapsedUs) * 1000) / 10,
      loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
      memory: { rss: mem.rss, heapUsed: mem.heapUsed, systemTotal: os.totalmem(), systemFree: os.freemem() },
      sockets,
      activeBuilds,
      uptimeS: Math.round(process.uptime()),
    };
    bus.publish(SYSTEM_TOPIC, sample);
  }, intervalMs);
  timer.unref();
  return { close: () => clearInterval(timer) };
}
