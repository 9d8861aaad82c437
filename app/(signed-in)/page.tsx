import type { Metadata } from 'next';
import { titleOf } from '@/lib/client/page-title';
import { AccountUsage } from '@/components/account-usage';
import { ProjectsPanel } from '@/components/projects-panel';
import { SessionsPanel } from '@/components/sessions-panel';
import { SessionShareList } from '@/components/session-share-list';

export const metadata: Metadata = { title: titleOf(['Dashboard']) };

export default function DashboardPage() {
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-xl font-semibold tracking-tight text-ink">Dashboard</h1>
        <p className="mt-1 text-sm text-muted">Your projects and VM sessions.</p>
        <AccountUsage />
      </div>
      <div className="grid grid-cols-1 items-start gap-6 lg:grid-cols-5">
        <div className="lg:col-span-3">
          <ProjectsPanel />
        </div>
        <div className="lg:col-span-2">
          <SessionsPanel />
          <SessionShareList />
        </div>
      </div>
    </div>
  );
}
