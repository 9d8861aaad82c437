import { upgradeRequired } from '../../upgrade-required';

// Answered at request time, never prerendered into a static file.
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return upgradeRequired();
}
