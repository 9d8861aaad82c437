import type { Metadata } from 'next';
import { SessionView } from '@/components/session-view';

export const metadata: Metadata = { title: 'Session' };

// One VM session: its name and state, and its desktop (the /vnc/<id> viewer in a frame).
export default async function SessionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <SessionView sessionId={id} />;
}
