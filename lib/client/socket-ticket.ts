import { CLOSE } from '../errors/close-codes';
import { ApiError, apiRequest } from './api';

// Right before each (re)connect a socket asks for a fresh single-use ticket (design.md "Socket tickets"):
// the sign-in itself stays in the httpOnly cookie and never appears in a URL. A refusal is answered as
// the close code the upgrade would have used, so the panel shows the same sentence either way.

export type TicketAnswer = { ok: true; ticket: string } | { ok: false; code: number };

const STATUS_TO_CLOSE: Record<number, number> = { 400: CLOSE.BAD_REQUEST, 401: CLOSE.UNAUTHORIZED, 403: CLOSE.FORBIDDEN, 404: CLOSE.NOT_FOUND, 429: CLOSE.TOO_MANY };

export async function socketTicket(path: string): Promise<TicketAnswer> {
  try {
    const { ticket } = await apiRequest<{ ticket: string; expiresAt: number }>('/api/socket-tickets', { method: 'POST', body: { path } });
    return { ok: true, ticket };
  } catch (err) {
    // Offline or a server error: like a dropped connection, retried with backoff.
    const code = err instanceof ApiError ? (STATUS_TO_CLOSE[err.status] ?? CLOSE.ABNORMAL) : CLOSE.ABNORMAL;
    return { ok: false, code };
  }
}
