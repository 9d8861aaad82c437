'use client';

import { Activity } from 'lucide-react';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useCurrentUser } from './require-user';

/** Links only an admin needs, in the dashboard header. */
export function AdminNav() {
  const user = useCurrentUser();
  const pathname = usePathname();
  if (user.role !== 'admin') return null;
  const current = pathname === '/status';
  return (
    <nav aria-label="Admin">
      <Link
        href="/status"
        aria-current={current ? 'page' : undefined}
        className={`inline-flex h-8 items-center gap-1.5 rounded-md px-2.5 text-sm font-medium transition-colors ${current ? 'bg-sunken text-ink' : 'text-muted hover:bg-sunken hover:text-ink'}`}
      >
        <Activity aria-hidden className="size-4" />
        Status
      </Link>
    </nav>
  );
}
