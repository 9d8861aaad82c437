'use client';

import { Activity, Users, type LucideIcon } from 'lucide-react';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useCurrentUser } from './require-user';

const LINKS: { href: string; label: string; icon: LucideIcon }[] = [
  { href: '/status', label: 'Status', icon: Activity },
  { href: '/users', label: 'Users', icon: Users },
];

/** Links only an admin needs, in the dashboard header. */
export function AdminNav() {
  const user = useCurrentUser();
  const pathname = usePathname();
  if (user.role !== 'admin') return null;
  return (
    <nav aria-label="Admin" className="flex shrink-0 items-center gap-1">
      {LINKS.map(({ href, label, icon: Icon }) => {
        const current = pathname === href;
        return (
          <Link
            key={href}
            href={href}
            aria-current={current ? 'page' : undefined}
            className={`inline-flex h-8 items-center gap-1.5 rounded-md px-2.5 text-sm font-medium transition-colors ${current ? 'bg-sunken text-ink' : 'text-muted hover:bg-sunken hover:text-ink'}`}
          >
            <Icon aria-hidden className="size-4" />
            {/* Icons alone on a phone, so the header fits 390 px; the name stays for screen readers. */}
            <span className="sr-only sm:not-sr-only">{label}</span>
          </Link>
        );
      })}
    </nav>
  );
}
