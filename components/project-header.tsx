'use client';

// Placeholder replaced by the Build journey work (project name, back link).
export function ProjectHeader({ projectId }: { projectId: string }) {
  return <div data-project={projectId} />;
}
