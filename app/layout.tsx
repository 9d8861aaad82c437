import type { Metadata, Viewport } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import './globals.css';

// No title here: each page names itself (lib/client/page-title.ts). A default would be a second <title>
// beside the one a client page renders once it knows its name, and the two race (components/page-title.tsx).
export const metadata: Metadata = {
  description: 'Projects, builds and VM sessions behind one front door.',
};

export const viewport: Viewport = {
  colorScheme: 'light dark',
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#f5f6f8' },
    { media: '(prefers-color-scheme: dark)', color: '#0e1014' },
  ],
};

// Every page renders per request: its scripts carry that request's CSP nonce (proxy.ts), which a page
// prerendered at build time could not.
export default async function RootLayout({ children }: { children: ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body className="min-h-dvh">{children}</body>
    </html>
  );
}
