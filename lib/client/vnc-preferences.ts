'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { DEFAULT_VIEWER_PREFERENCES, type UserPreferences, type ViewerPreferences } from '../protocol/preferences';
import { ApiError, apiRequest } from './api';

// The viewer's settings as the user left them: read from the server once per load (so they follow the user
// to another browser), applied at once when changed, and saved a moment later (a dragged slider is one
// save, not ten).

export const SAVE_AFTER_MS = 400;

export type SaveState = { state: 'idle' | 'saving' | 'saved' } | { state: 'failed'; sentence: string };

export type ViewerPreferencesState = {
  prefs: ViewerPreferences;
  /** False until the server answered (or could not): the first remote resize waits for it. */
  loaded: boolean;
  save: SaveState;
  change(patch: Partial<ViewerPreferences>): void;
};

export function useViewerPreferences(): ViewerPreferencesState {
  const [prefs, setPrefs] = useState<ViewerPreferences>(DEFAULT_VIEWER_PREFERENCES);
  const [loaded, setLoaded] = useState(false);
  const [save, setSave] = useState<SaveState>({ state: 'idle' });
  const pending = useRef<Partial<ViewerPreferences>>({});
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const touched = useRef(false);

  useEffect(() => {
    const abort = new AbortController();
    apiRequest<UserPreferences>('/api/preferences', { signal: abort.signal })
      .then((p) => {
        // A change made while the answer was on its way wins over it.
        if (!touched.current) setPrefs(p.viewer);
      })
      // Not signed in, or the server is away: the defaults, and the socket says the rest.
      .catch(() => undefined)
      .finally(() => !abort.signal.aborted && setLoaded(true));
    return () => abort.abort();
  }, []);

  const flush = useCallback(() => {
    const viewer = pending.current;
    pending.current = {};
    setSave({ state: 'saving' });
    apiRequest<UserPreferences>('/api/preferences', { method: 'PUT', body: { viewer } })
      .then(() => setSave({ state: 'saved' }))
      .catch((err: unknown) => setSave({ state: 'failed', sentence: err instanceof ApiError ? `Not saved: ${err.message}` : 'Not saved.' }));
  }, []);

  useEffect(() => () => clearTimeout(timer.current), []);

  const change = useCallback(
    (patch: Partial<ViewerPreferences>) => {
      touched.current = true;
      setPrefs((p) => ({ ...p, ...patch }));
      pending.current = { ...pending.current, ...patch };
      clearTimeout(timer.current);
      timer.current = setTimeout(flush, SAVE_AFTER_MS);
    },
    [flush],
  );

  return { prefs, loaded, save, change };
}
