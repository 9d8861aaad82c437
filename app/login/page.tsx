import type { Metadata } from 'next';
import { titleOf } from '@/lib/client/page-title';
import { BrandMark } from '@/components/brand-mark';
import { LoginForm } from '@/components/login-form';

export const metadata: Metadata = { title: titleOf(['Sign in']) };

export default function LoginPage() {
  return (
    <main className="grid min-h-dvh place-items-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex flex-col items-center text-center">
          <BrandMark size="lg" />
          <h1 className="mt-4 text-xl font-semibold tracking-tight text-ink">Sign in to Portico</h1>
          <p className="mt-1 text-sm text-muted">Your projects, builds and VM sessions.</p>
        </div>
        <div className="rounded-xl border border-line bg-surface p-6 shadow-sm">
          <LoginForm />
        </div>
        <p className="mt-6 text-center text-xs text-muted">Accounts are created by an administrator.</p>
      </div>
    </main>
  );
}
