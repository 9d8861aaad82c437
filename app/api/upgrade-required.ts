import { errorBody } from '@/lib/errors/http-errors';

// These paths are WebSocket routes; server.ts's upgrade router takes the upgrades before Next sees them.
// A plain GET lands here and is told so (RFC 9110 §15.5.22: a 426 names the protocol in `Upgrade`). The
// route handlers also exist to prove that a socket route survives next to a Next route of the same path
// (design.md, "One process, one front door").
export function upgradeRequired(): Response {
  return Response.json(errorBody('upgrade_required'), {
    status: 426,
    headers: { Upgrade: 'websocket', 'Cache-Control': 'no-store' },
  });
}
