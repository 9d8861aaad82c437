import { ShieldAlert } from 'lucide-react';
import Link from 'next/link';
import { EmptyState } from './empty-state';

/** What an admin-only page shows anyone else: why, and the way back. */
export function AdminOnlyNotice({ children }: { children: string }) {
  return (
    <div className="mx-auto max-w-md pt-10">
      <EmptyState icon={ShieldAlert} title="Only an admin can see this.">
        {children}
      </EmptyState>
      <p className="text-center">
        <Link href="/" className="text-sm font-medium text-accent hover:underline">
          Back to the dashboard
        </Link>
      </p>
    </div>
  );
}
