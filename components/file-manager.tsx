'use client';

// Placeholder replaced by the FileManager work.
export function FileManager({ projectId }: { projectId: string }) {
  return <div data-project={projectId} />;
}
