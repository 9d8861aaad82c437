import { CLOSE, shouldReconnect } from '../errors/close-codes';
import { ApiError, apiRequest } from './api';
import { closeCodeForStatus } from '../errors/status-map';

// Right before each (re)connect a socket asks for a fresh single-use ticket (design.md "Socket tickets"):
// the sign-in itself stays in the httpOnly cookie and never appears in a URL. A refusal is answered as
// the close code the upgrade would have used, so the panel shows the same sentence either way.

export type TicketAnswer = { ok: true; ticket: string } | { ok: false; code: number };

export async function socketTicket(path: string): Promise<TicketAnswer> {
  try {
    const { ticket } = await apiRequest<{ ticket: string; expiresAt: number }>('/api/socket-tickets', { method: 'POST', body: { path } });
    return { ok: true, ticket };
  } catch (err) {
    // A refusal reads as the close code the one map gives its status. Offline, or the server (or a proxy
    // in front of it) failing: like a dropped connection, retried with backoff — a 502 here is the
    // dashboard out of reach, not the build service that 1014's sentence names.
    const mapped = err instanceof ApiError ? closeCodeForStatus(err.status) : null;
    const code = mapped !== null && !shouldReconnect(mapped) ? mapped : CLOSE.ABNORMAL;
    return { ok: false, code };
  }
}
