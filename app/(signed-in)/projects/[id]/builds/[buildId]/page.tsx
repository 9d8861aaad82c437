import type { Metadata } from 'next';
import { BuildRecordView } from '@/components/build-record';

export const metadata: Metadata = { title: 'Build' };

// One build at its own address (issue 11, point 9): its log, output, files, changes and preview.
export default async function BuildPage({ params }: { params: Promise<{ id: string; buildId: string }> }) {
  const { id, buildId } = await params;
  return <BuildRecordView key={buildId} projectId={id} buildId={buildId} />;
}
