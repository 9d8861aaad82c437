'use client';

import { useEffect, useRef, useState } from 'react';
import { CLOSE, closeSentence } from '../errors/close-codes';
import { useSocket, type SocketState, type UseSocketResult } from './use-socket';
import { backoffMs } from './socket-url';
import { hubTopicStep, resumeFields, type HubCursor } from './hub-cursor';
import type { HubClientMessage, HubServerMessage } from '../protocol/hub';

// One topic of the event hub (`/api/events`, design.md "Event hub protocol") over the shared socket hook.
// It subscribes on every (re)connect, naming the last event it saw (epoch and seq), so the hub replays
// what was missed; and it calls `onSync` whenever the feed may have missed something the hub could not
// replay: a fresh subscription, a `resync`, an event whose seq or epoch shows a gap. A caller that keeps
// state from the topic (the FileManager's tree) refetches it there.

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
  // The last (epoch, seq) seen on this topic; kept across reconnects, so a new socket resumes from it.
  const cursor = useRef<HubCursor | null>(null);
  const asked = useRef<HubCursor | null>(null);
  const sendRef = useRef<(message: unknown) => boolean>(() => false);
  const latest = useRef({ onEvent, onSync });
  latest.current = { onEvent, onSync };

  const retry = useRef<{ timer?: ReturnType<typeof setTimeout>; attempt: number }>({ attempt: 0 });
  useEffect(() => () => clearTimeout(retry.current.timer), []);
  const subscribe = () => {
    asked.current = cursor.current;
    if (topic) sendRef.current({ type: 'subscribe', topic, ...resumeFields(cursor.current) } satisfies HubClientMessage);
  };

  const socket = useSocket<HubMessage>({
    path: topic ? '/api/events' : null,
    onOpen() {
      setSubscribed(false);
      clearTimeout(retry.current.timer);
      retry.current.attempt = 0;
      subscribe();
    },
    onMessage(message) {
      if (!topic || message.topic !== topic) return;
      switch (message.type) {
        case 'subscribed':
        case 'resync':
        case 'event': {
          const step = hubTopicStep(cursor.current, asked.current, message);
          cursor.current = step.cursor;
          if (message.type === 'event') latest.current.onEvent(message.data, message.seq);
          else {
            setSubscribed(true);
            setTopicError(null);
          }
          if (step.sync) latest.current.onSync?.();
          return;
        }
        case 'error':
          setSubscribed(false);
          // 1013: the hub could not reach its bus (Redis) in time; the same socket asks again with backoff.
          if (message.code === CLOSE.TRY_AGAIN_LATER) {
            clearTimeout(retry.current.timer);
            retry.current.timer = setTimeout(subscribe, backoffMs(retry.current.attempt++));
            return;
          }
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
    cursor.current = null;
    clearTimeout(retry.current.timer);
    setTopicError(null);
    setSubscribed(false);
    reconnect();
  }, [topic, reconnect]);

  const state: SocketState = socket.state === 'live' && !subscribed ? (topicError ? 'offline' : 'connecting') : socket.state;
  return { ...socket, state, topicError };
}
