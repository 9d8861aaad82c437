import type { Metadata } from 'next';
import { titleOf } from '@/lib/client/page-title';
import { SessionShareViewer } from '@/components/session-share-viewer';

export const metadata: Metadata = { title: titleOf(['Desktop']) };

// Who may see the desktop is the socket's decision (token, owner or share link): a refusal arrives as a
// close code and the viewer says it as a sentence, so this page needs no sign-in check of its own.
export default async function ViewerPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <SessionShareViewer sessionId={id} />;
}
