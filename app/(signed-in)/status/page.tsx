import type { Metadata } from 'next';
import { StatusBoard } from '@/components/status-board';

export const metadata: Metadata = { title: 'Status' };

// The operator's view (admin): sockets per route, builds, upstreams, and the process, live.
export default function StatusPage() {
  return <StatusBoard />;
}
