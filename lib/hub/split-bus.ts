import type { Bus } from './bus';

// One bus in front of two: topics that are this process's own (the `system` samples of the status page)
// stay on the local bus, everything else goes to the shared one. Through Redis, every gateway's samples
// would interleave on one status page.

export function splitBus(local: Bus, shared: Bus, isLocal: (topic: string) => boolean): Bus {
  const pick = (topic: string) => (isLocal(topic) ? local : shared);
  return {
    publish: (topic, data) => pick(topic).publish(topic, data),
    subscribe: (topic, listener) => pick(topic).subscribe(topic, listener),
    since: (topic, after) => pick(topic).since(topic, after),
    listenerCount: (topic) => pick(topic).listenerCount(topic),
    async close() {
      await Promise.all([local.close(), shared.close()]);
    },
  };
}
