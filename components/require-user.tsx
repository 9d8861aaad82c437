'use client';

import { useRouter } from 'next/navigation';
import { createContext, use, useEffect, useState, type ReactNode } from 'react';
import type { PublicUser } from '@/lib/protocol/api';
import { ApiError, OFFLINE_SENTENCE, apiRequest } from '@/lib/client/api';
import { loginHref } from '@/lib/client/next-path';
import { useActivityKeepalive } from '@/lib/client/use-activity-keepalive';
import { Button } from './button';
import { ErrorSentence } from './error-sentence';

const CurrentUser = createContext<PublicUser | null>(null);

/** The signed-in user; only inside <RequireUser>. */
export function useCurrentUser(): PublicUser {
  const user = use(CurrentUser);
  if (!user) throw new Error('useCurrentUser() is only available inside <RequireUser>.');
  return user;
}

type Check = { state: 'checking' } | { state: 'signed-in'; user: PublicUser } | { state: 'error'; message: string };

/**
 * Renders its children only for a signed-in user. Anyone else is sent to /login with `next` set to come
 * back here. The check is the server's (`GET /api/auth/me`, the httpOnly cookie): the only sign-in a page has.
 */
export function RequireUser({ children }: { children: ReactNode }) {
  const router = useRouter();
  useActivityKeepalive();
  const [check, setCheck] = useState<Check>({ state: 'checking' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const ctrl = new AbortController();
    apiRequest<PublicUser>('/api/auth/me', { signal: ctrl.signal }).then(
      (user) => setCheck({ state: 'signed-in', user }),
      (err: unknown) => {
        if (ctrl.signal.aborted) return;
        if (err instanceof ApiError && err.status === 401) {
          router.replace(loginHref(`${window.location.pathname}${window.location.search}`));
          return;
        }
        setCheck({ state: 'error', message: err instanceof ApiError ? err.message : OFFLINE_SENTENCE });
      },
    );
    return () => ctrl.abort();
  }, [router, attempt]);

  if (check.state === 'signed-in') return <CurrentUser value={check.user}>{children}</CurrentUser>;
  if (check.state === 'error') {
    return (
      <div className="grid min-h-dvh place-items-center px-4">
        <div className="w-full max-w-sm space-y-3">
          <ErrorSentence>{check.message}</ErrorSentence>
          <Button
            variant="secondary"
            onClick={() => {
              setCheck({ state: 'checking' });
              setAttempt((n) => n + 1);
            }}
          >
            Try again
          </Button>
        </div>
      </div>
    );
  }
  // Shown only if the check is slow (animate-appear waits before fading in), so a quick check does not flash.
  return (
    <div role="status" className="grid min-h-dvh animate-appear place-items-center text-sm text-muted">
      Checking your sign-in…
    </div>
  );
}
