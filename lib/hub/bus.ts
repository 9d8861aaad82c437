import { EventEmitter } from 'node:events';

// Topic fan-out between publishers (builds, the workspace watcher, /api/emit) and the hub. In process
// today; Redis Pub/Sub when gateways scale out (design.md "Scale-out"), behind this same interface.

export type BusListener = (data: unknown) => void;

export interface Bus {
  publish(topic: string, data: unknown): void;
  subscribe(topic: string, listener: BusListener): () => void;
  listenerCount(topic: string): number;
}

export function createMemoryBus(): Bus {
  const emitter = new EventEmitter();
  // Every hub socket adds a listener per topic; thousands of watchers are normal, not a leak.
  emitter.setMaxListeners(0);
  return {
    publish(topic, data) {
      emitter.emit(topic, data);
    },
    subscribe(topic, listener) {
      emitter.on(topic, listener);
      return () => emitter.off(topic, listener);
    },
    listenerCount(topic) {
      return emitter.listenerCount(topic);
    },
  };
}
