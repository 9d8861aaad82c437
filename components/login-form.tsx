'use client';

import { LoaderCircle } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { PublicUser } from '@/lib/protocol/api';
import { ApiError, OFFLINE_SENTENCE, apiRequest } from '@/lib/client/api';
import { safeNextPath } from '@/lib/client/next-path';
import { Button } from './button';
import { ErrorSentence } from './error-sentence';
import { TextInput } from './text-input';

// A browser's answer carries no token: the sign-in is the httpOnly cookie the same answer sets.
type LoginAnswer = { expiresAt: number; user: PublicUser };

// `next` is read from window.location where it is needed, in handlers and effects, so the page itself
// stays static (useSearchParams would make it render only in the browser).
function nextPath(): string {
  return safeNextPath(new URLSearchParams(window.location.search).get('next'), window.location.origin);
}

export function LoginForm() {
  const router = useRouter();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  // Already signed in (the cookie is still good): no need to ask again.
  useEffect(() => {
    const ctrl = new AbortController();
    apiRequest<PublicUser>('/api/auth/me', { signal: ctrl.signal }).then(
      () => router.replace(nextPath()),
      () => {},
    );
    return () => ctrl.abort();
  }, [router]);

  async function signIn(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      await apiRequest<LoginAnswer>('/api/auth/login', { method: 'POST', body: { username: username.trim(), password } });
      // Stay pending: the button keeps saying so until the next page takes over.
      router.replace(nextPath());
    } catch (err) {
      setError(err instanceof ApiError ? err.message : OFFLINE_SENTENCE);
      setPassword('');
      setPending(false);
      passwordRef.current?.focus();
    }
  }

  return (
    <form aria-label="Sign in" onSubmit={signIn} className="space-y-4">
      {error ? <ErrorSentence>{error}</ErrorSentence> : null}
      <div className="space-y-1.5">
        <label htmlFor="username" className="block text-sm font-medium text-ink">
          Username
        </label>
        <TextInput
          id="username"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          autoFocus
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
      </div>
      <div className="space-y-1.5">
        <label htmlFor="password" className="block text-sm font-medium text-ink">
          Password
        </label>
        <TextInput
          ref={passwordRef}
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </div>
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? <LoaderCircle aria-hidden className="size-4 animate-spin" /> : null}
        {pending ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}
