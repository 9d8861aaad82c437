import type { Metadata } from 'next';
import { titleOf } from '@/lib/client/page-title';
import { StatusBoard } from '@/components/status-board';

export const metadata: Metadata = { title: titleOf(['Status']) };

// The operator's view (admin): sockets per route, builds, upstreams, and the process, live.
export default function StatusPage() {
  return <StatusBoard />;
}
