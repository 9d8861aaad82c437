import type { HubServerMessage } from '../protocol/hub';

// Where a hub subscriber stands on its topic (design.md "Event hub protocol"), as a pure step function the
// hook drives: which cursor to resume from on a new socket, and whether a message means the caller's state
// may have missed something it must fetch again. No React here, so it is tested on its own.

export type HubCursor = { epoch: string; seq: number };

export type HubTopicStep = {
  cursor: HubCursor | null;
  /** The subscription is live from here. */
  live: boolean;
  /** The caller's state may be missing events: fetch it again. */
  sync: boolean;
};

/**
 * `asked` is the cursor sent with the subscribe this socket made (null: none). A `subscribed` that answers
 * it is a resume (the missed events follow as events); any other `subscribed`, a `resync`, an event with
 * another epoch or a jump in seq: fetch again.
 */
export function hubTopicStep(cursor: HubCursor | null, asked: HubCursor | null, message: HubServerMessage): HubTopicStep {
  switch (message.type) {
    case 'subscribed': {
      const resumed = asked !== null && asked.epoch === message.epoch && asked.seq === message.seq;
      return { cursor: { epoch: message.epoch, seq: message.seq }, live: true, sync: !resumed };
    }
    case 'resync':
      return { cursor: { epoch: message.epoch, seq: message.seq }, live: true, sync: true };
    case 'event': {
      const gap = cursor !== null && (message.epoch !== cursor.epoch || message.seq !== cursor.seq + 1);
      return { cursor: { epoch: message.epoch, seq: message.seq }, live: true, sync: gap };
    }
    default:
      return { cursor, live: false, sync: false };
  }
}

/** What a subscribe sends to resume from `cursor`. */
export const resumeFields = (cursor: HubCursor | null) => (cursor ? { epoch: cursor.epoch, afterSeq: cursor.seq } : {});
