'use client';

import { RotateCcw } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { BuildInfo } from '@/lib/protocol/build';
import { ApiError, OFFLINE_SENTENCE, apiRequest } from '@/lib/client/api';
import { buildPagePath } from '@/lib/client/build-paths';
import { Button } from './button';
import { ErrorSentence } from './error-sentence';

/**
 * Starts a build with the same prompt (`POST /api/projects/:id/builds`) and opens its page. A refusal
 * (one is already running: 409; over the hourly quota: 429) is said beside the button.
 */
export function RerunButton({ projectId, prompt, compact = false }: { projectId: string; prompt: string; compact?: boolean }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function rerun() {
    setBusy(true);
    setError(null);
    try {
      const { build } = await apiRequest<{ build: BuildInfo }>(`/api/projects/${encodeURIComponent(projectId)}/builds`, { method: 'POST', body: { prompt } });
      router.push(buildPagePath(projectId, build.id));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : OFFLINE_SENTENCE);
      setBusy(false);
    }
  }

  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <Button variant={compact ? 'ghost' : 'secondary'} className={compact ? 'h-7 px-2 text-xs' : ''} disabled={busy} onClick={() => void rerun()} aria-label={compact ? `Re-run: ${prompt}` : undefined}>
        <RotateCcw aria-hidden className={compact ? 'size-3.5' : 'size-4'} />
        {busy ? 'Starting…' : 'Re-run'}
      </Button>
      {error ? <ErrorSentence className="text-xs">{error}</ErrorSentence> : null}
    </span>
  );
}
