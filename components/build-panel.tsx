'use client';

// Placeholder replaced by the Build journey work (PromptPanel, stages, progress, log, history).
export function BuildPanel({ projectId }: { projectId: string }) {
  return <div data-project={projectId} />;
}
