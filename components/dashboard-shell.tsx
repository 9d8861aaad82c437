import Link from 'next/link';
import type { ReactNode } from 'react';
import { AdminNav } from './admin-nav';
import { BrandMark } from './brand-mark';
import { UserMenu } from './user-menu';

/** The frame of every signed-in page: the product, who is signed in, and the page below. */
export function DashboardShell({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="sticky top-0 z-10 border-b border-line bg-surface/90 backdrop-blur supports-[backdrop-filter]:bg-surface/75">
        <div className="mx-auto flex h-14 w-full max-w-6xl items-center gap-2 px-4 sm:gap-4 sm:px-6">
          <Link href="/" className="flex shrink-0 items-center gap-2.5 rounded-md text-[15px] font-semibold tracking-tight text-ink">
            <BrandMark />
            Portico
          </Link>
          <AdminNav />
          <div className="ml-auto min-w-0">
            <UserMenu />
          </div>
        </div>
      </header>
      <main className="mx-auto w-full max-w-6xl flex-1 px-4 py-8 sm:px-6">{children}</main>
    </div>
  );
}
