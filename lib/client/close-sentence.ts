import { closeInfo, closeSentence, shouldReconnect } from '../errors/close-codes';

// What a socket's close event means to the person looking at the panel (design.md, "Close codes"): the
// same sentences the server documents, from the same table, and whether the panel should reconnect.

export type CloseEventLike = { code: number; reason?: string };

export type CloseOutcome = {
  /** The sentence to show; null when the socket ended normally and nothing needs saying. */
  sentence: string | null;
  /** Reconnect with backoff and jitter (1001, 1006, 1011, 1013, 1014); never after a 44xx refusal. */
  reconnect: boolean;
};

// 1005 is what a browser reports when the close frame carried no code: our own `ws.close()` without
// arguments, or a server ending cleanly. Neither is a problem to tell anyone about.
const NO_STATUS = 1005;

export function closeOutcome({ code, reason }: CloseEventLike): CloseOutcome {
  if (code === NO_STATUS) return { sentence: null, reconnect: false };
  const reconnect = shouldReconnect(code);
  // Codes in the table speak for themselves; their reasons are for logs. A code we do not know (an
  // upstream's own 4xxx) gets the generic sentence that names it, and its reason if it sent one.
  if (closeInfo(code)) return { sentence: closeSentence(code), reconnect };
  const extra = reason?.trim();
  const generic = closeSentence(code);
  return { sentence: extra ? `${generic} ${asSentence(extra)}` : generic, reconnect };
}

/** What a panel shows after its socket closed: offline for good, or reconnecting (and retrying). */
export type AfterClose = {
  state: 'offline' | 'reconnecting';
  problem: { code: number; sentence: string; final: boolean } | null;
  retry: boolean;
};

// The one place the panels' sockets (the JSON sockets and the VNC viewer) decide what a close means for them.
export function afterClose(event: CloseEventLike): AfterClose {
  const { sentence, reconnect } = closeOutcome(event);
  const problem = sentence ? { code: event.code, sentence, final: !reconnect } : null;
  return { state: reconnect ? 'reconnecting' : 'offline', problem, retry: reconnect };
}

export function sentenceForClose(event: CloseEventLike): string | null {
  return closeOutcome(event).sentence;
}

function asSentence(text: string): string {
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}
