'use client';

import type { PublicSession } from '@/lib/protocol/api';
import { useApiData } from '@/lib/client/use-api-data';
import { VncViewer } from './vnc-viewer';

// The viewer as whoever opens it may use it: someone who came through a view-only share link gets it
// with input locked off. The lock is only the page's courtesy; the gateway's bridge drops their input
// whatever the page does (lib/upgrade/rfb-view-only.ts). If the session cannot be read, the socket's
// refusal says why, so the viewer is shown either way.
export function SessionShareViewer({ sessionId }: { sessionId: string }) {
  const { result } = useApiData<PublicSession>(`/api/sessions/${encodeURIComponent(sessionId)}`);
  if (result.state === 'loading') return <div className="h-dvh bg-zinc-900" />;
  return <VncViewer sessionId={sessionId} viewOnlyLocked={result.state === 'ready' && result.data.access === 'view-only'} />;
}
