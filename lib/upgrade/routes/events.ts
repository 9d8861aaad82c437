import { defineRoute, type Matched } from './route';

// The event hub (design.md "Event hub protocol"), served in this process. Each topic is authorised when
// it is subscribed to; the socket itself only needs a signed-in user.

export function matchEvents(pathname: string): Matched<null> {
  return pathname === '/api/events' ? { params: null } : null;
}

export const eventsRoute = defineRoute({
  name: 'events',
  pattern: '/api/events',
  label: 'Event hub',
  transport: 'in-process',
  access: 'user',
  origin: 'builtin',
  match: matchEvents,
  ticketResource: () => 'hub',
  authorise() {
    return { ok: true, resource: null, describe: 'hub' };
  },
  resolve(_p: null, _r: null, _ctx, deps) {
    return { transport: 'in-process', accept: deps.hub.accept };
  },
});
