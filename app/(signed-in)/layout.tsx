import type { ReactNode } from 'react';
import { DashboardShell } from '@/components/dashboard-shell';
import { RequireUser } from '@/components/require-user';

export default function SignedInLayout({ children }: { children: ReactNode }) {
  return (
    <RequireUser>
      <DashboardShell>{children}</DashboardShell>
    </RequireUser>
  );
}
