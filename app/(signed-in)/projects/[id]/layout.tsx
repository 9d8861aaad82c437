import type { ReactNode } from 'react';
import { ProjectGate } from '@/components/project-gate';

// The project page and each of its build pages: the project is fetched once, here, and they render only
// when it exists (components/project-gate.tsx).
export default async function ProjectLayout({ children, params }: { children: ReactNode; params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <ProjectGate key={id} projectId={id}>
      {children}
    </ProjectGate>
  );
}
