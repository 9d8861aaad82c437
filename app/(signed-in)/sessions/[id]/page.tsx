import { SessionView } from '@/components/session-view';

// One VM session: its name and state, and its desktop (the /vnc/<id> viewer in a frame). The view names
// the tab once it knows the session (no metadata title: see components/page-title.tsx).
export default async function SessionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <SessionView sessionId={id} />;
}
