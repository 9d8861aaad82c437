import type { Metadata } from 'next';
import { titleOf } from '@/lib/client/page-title';
import Link from 'next/link';
import { BrandMark } from '@/components/brand-mark';

export const metadata: Metadata = { title: titleOf(['Not found']) };

export default function NotFound() {
  return (
    <main className="grid min-h-dvh place-items-center px-4">
      <div className="flex flex-col items-center text-center">
        <BrandMark size="lg" />
        <h1 className="mt-4 text-xl font-semibold tracking-tight text-ink">Page not found</h1>
        <p className="mt-1 text-sm text-muted">There is no page at this address.</p>
        <Link href="/" className="mt-6 text-sm font-medium text-accent hover:underline">
          Back to the dashboard
        </Link>
      </div>
    </main>
  );
}
