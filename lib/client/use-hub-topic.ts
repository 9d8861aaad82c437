'use client';

import { useEffect, useRef, useState } from 'react';
import { closeSentence } from '../errors/close-codes';
import { useSocket, type SocketState, type UseSocketResult } from './use-socket';
import type { HubClientMessage, HubServerMessage } from '../protocol/hub';

// One topic of the event hub (`/api/events`, design.md "Event hub protocol") over the shared socket hook.
// It subscribes on every (re)connect, and calls `onSync` whenever the feed may have missed something: on
// each new subscription, and when an event's seq shows a gap. A caller that keeps state from the topic
// (the FileManager's tree) refetches it there.

type HubMessage = HubServerMessage;

export type HubTopicOptions = {
  /** null keeps the socket closed. */
  topic: string | null;
  onEvent(data: unknown, seq: number): void;
  onSync?(): void;
};

export type HubTopicResult = UseSocketResult & {
  /** 'live' only once the server confirmed the subscription: before that, events would be missed. */
  state: SocketState;
  /** The server refused the subscription (4403, 4404): its sentence. The socket stays open. */
  topicError: string | null;
};

export function useHubTopic({ topic, onEvent, onSync }: HubTopicOptions): HubTopicResult {
  const [topicError, setTopicError] = useState<string | null>(null);
  const [subscribed, setSubscribed] = useState(false);
  const lastSeq = useRef<number | null>(null);
  const sendRef = useRef<(message: unknown) => boolean>(() => false);
  const latest = useRef({ onEvent, onSync });
  latest.current = { onEvent, onSync };

  const socket = useSocket<HubMessage>({
    path: topic ? '/api/events' : null,
    onOpen() {
      lastSeq.current = null;
      setSubscribed(false);
      if (topic) sendRef.current({ type: 'subscribe', topic } satisfies HubClientMessage);
    },
    onMessage(message) {
      if (!topic || message.topic !== topic) return;
      switch (message.type) {
        case 'subscribed':
          lastSeq.current = message.seq;
          setSubscribed(true);
          setTopicError(null);
          latest.current.onSync?.();
          return;
        case 'event': {
          const gap = lastSeq.current !== null && message.seq !== lastSeq.current + 1;
          lastSeq.current = message.seq;
          latest.current.onEvent(message.data, message.seq);
          if (gap) latest.current.onSync?.();
          return;
        }
        case 'error':
          setSubscribed(false);
          setTopicError(message.message || closeSentence(message.code) || 'The subscription was refused.');
          return;
      }
    },
  });
  sendRef.current = socket.send;

  // One socket per topic: another topic on the same path needs a fresh connection to subscribe on.
  const firstTopic = useRef(topic);
  const { reconnect } = socket;
  useEffect(() => {
    if (topic === firstTopic.current) return;
    firstTopic.current = topic;
    setTopicError(null);
    setSubscribed(false);
    reconnect();
  }, [topic, reconnect]);

  const state: SocketState = socket.state === 'live' && !subscribed ? (topicError ? 'offline' : 'connecting') : socket.state;
  return { ...socket, state, topicError };
}
