'use client';

import { LogOut } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ApiError, OFFLINE_SENTENCE, apiRequest } from '@/lib/client/api';
import { Button } from './button';

export function SignOutButton() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  async function signOut() {
    setPending(true);
    setProblem(null);
    try {
      await apiRequest('/api/auth/logout', { method: 'POST' });
    } catch (err) {
      // The cookie is still set, so /login would send us straight back: say why instead.
      setProblem(err instanceof ApiError ? err.message : OFFLINE_SENTENCE);
      setPending(false);
      return;
    }
    router.replace('/login');
  }

  return (
    <span className="relative flex items-center">
      {/* Below the button, over the page: a sentence in the header's row would push it past a phone's width. */}
      {problem ? (
        <span role="alert" className="absolute top-full right-0 z-20 mt-2 w-64 rounded-md border border-danger-line bg-danger-soft px-3 py-2 text-xs text-danger shadow-sm">
          {problem}
        </span>
      ) : null}
      <Button variant="ghost" onClick={signOut} disabled={pending} className="h-8 px-2.5">
        <LogOut aria-hidden className="size-4" />
        {/* The word only from sm up: a phone header has room for the icon (the name stays for screen readers). */}
        <span className="sr-only sm:not-sr-only">Sign out</span>
      </Button>
    </span>
  );
}
