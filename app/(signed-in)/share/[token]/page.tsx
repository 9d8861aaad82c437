import type { Metadata } from 'next';
import { titleOf } from '@/lib/client/page-title';
import { SessionShareInvite } from '@/components/session-share-invite';

export const metadata: Metadata = { title: titleOf(['Shared session']) };

// A share link (/share/<token>): says what it gives and accepts it. Signed-in only: the layout sends
// anyone else to /login and back here.
export default async function SharePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return <SessionShareInvite token={token} />;
}
