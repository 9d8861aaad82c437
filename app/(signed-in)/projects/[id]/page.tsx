import { BuildPanel } from '@/components/build-panel';
import { FileManager } from '@/components/file-manager';
import { ProjectHeader } from '@/components/project-header';

// The project page: what to build and how it goes (PromptPanel, history) beside the files it wrote. Its
// layout renders it only once the project exists; the header names the tab (no metadata title: see
// components/page-title.tsx).
export default async function ProjectPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <div className="space-y-6">
      <ProjectHeader />
      <div className="grid grid-cols-1 items-start gap-6 xl:grid-cols-5">
        <div className="xl:col-span-3">
          <BuildPanel key={id} projectId={id} />
        </div>
        <div className="xl:col-span-2">
          <FileManager projectId={id} />
        </div>
      </div>
    </div>
  );
}
