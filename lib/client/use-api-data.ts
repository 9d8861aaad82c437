import { useCallback, useEffect, useState } from 'react';
import { ApiError, OFFLINE_SENTENCE, apiRequest } from './api';

// One GET from the JSON API for a client component: loading, the data, or the server's sentence.

export type Loadable<T> = { state: 'loading' } | { state: 'ready'; data: T } | { state: 'error'; message: string; status: number };

export function useApiData<T>(path: string) {
  const [result, setResult] = useState<Loadable<T>>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const ctrl = new AbortController();
    apiRequest<T>(path, { signal: ctrl.signal }).then(
      (data) => setResult({ state: 'ready', data }),
      (err: unknown) => {
        if (ctrl.signal.aborted) return;
        setResult(err instanceof ApiError ? { state: 'error', message: err.message, status: err.status } : { state: 'error', message: OFFLINE_SENTENCE, status: 0 });
      },
    );
    return () => ctrl.abort();
  }, [path, attempt]);

  /** Changes the loaded data in place, e.g. to show what this page just created. */
  const update = useCallback((change: (data: T) => T) => setResult((r) => (r.state === 'ready' ? { state: 'ready', data: change(r.data) } : r)), []);

  const retry = useCallback(() => {
    setResult({ state: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  return { result, update, retry };
}
