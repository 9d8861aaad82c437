import { BuildRecordView } from '@/components/build-record';

// One build at its own address (issue 11, point 9): its log, output, files, changes and preview. The
// project layout renders it only once the project exists; the view names the tab (components/page-title.tsx).
export default async function BuildPage({ params }: { params: Promise<{ id: string; buildId: string }> }) {
  const { id, buildId } = await params;
  return <BuildRecordView key={buildId} projectId={id} buildId={buildId} />;
}
