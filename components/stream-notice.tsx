'use client';

import { CircleAlert, CloudOff, RadioTower, RefreshCw } from 'lucide-react';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { CLOSE } from '@/lib/errors/close-codes';
import { loginHref } from '@/lib/client/next-path';
import type { Transport } from '@/lib/client/use-build-stream';
import type { SocketProblem } from '@/lib/client/use-socket';

export const FALLBACK_SENTENCE = 'Live connection unavailable; showing progress over a fallback stream.';
export const FALLBACK_STILL_WORKS = 'Build and Cancel still work; the live connection is retried in the background.';
export const UNREACHABLE_SENTENCE = 'Cannot reach the server. Your prompt is kept; Build works again as soon as the server answers.';

type StreamNoticeProps = {
  problem: SocketProblem | null;
  transport: Transport;
  /** False when nothing of the server's answers: that one sentence says it all. */
  reachable?: boolean;
};

/** Why the build stream is not live, in the close-code table's words, and what the reader can do about it. */
export function StreamNotice({ problem, transport, reachable = true }: StreamNoticeProps) {
  const pathname = usePathname();
  return (
    <>
      {!reachable && problem?.final !== true ? (
        <p role="status" data-testid="unreachable-notice" className="flex items-start gap-2 rounded-md border border-amber-500/30 bg-amber-500/5 px-3 py-2 text-sm text-amber-800 dark:text-amber-200">
          <CloudOff aria-hidden className="mt-0.5 size-4 shrink-0" />
          <span>{UNREACHABLE_SENTENCE}</span>
        </p>
      ) : null}
      {reachable && transport === 'sse' && problem?.final !== true ? (
        <p role="status" data-testid="fallback-notice" className="flex items-start gap-2 rounded-md border border-line bg-sunken/60 px-3 py-2 text-sm text-muted">
          <RadioTower aria-hidden className="mt-0.5 size-4 shrink-0" />
          <span>
            {FALLBACK_SENTENCE} {FALLBACK_STILL_WORKS}
          </span>
        </p>
      ) : null}
      {problem?.final ? (
        <p role="alert" data-testid="stream-problem" className="flex items-start gap-2 rounded-md border border-danger-line bg-danger-soft px-3 py-2 text-sm text-danger">
          <CircleAlert aria-hidden className="mt-0.5 size-4 shrink-0" />
          <span>
            {problem.sentence}
            {problem.code === CLOSE.UNAUTHORIZED ? (
              <>
                {' '}
                <Link href={loginHref(pathname)} className="font-medium whitespace-nowrap underline underline-offset-2">
                  Go to sign-in
                </Link>
              </>
            ) : null}
          </span>
        </p>
      ) : null}
      {reachable && problem && !problem.final ? (
        <p role="status" data-testid="stream-problem" className="flex items-start gap-2 rounded-md border border-amber-500/30 bg-amber-500/5 px-3 py-2 text-sm text-amber-800 dark:text-amber-200">
          <RefreshCw aria-hidden className="mt-0.5 size-4 shrink-0 animate-spin [animation-duration:2s]" />
          <span>{problem.sentence}</span>
        </p>
      ) : null}
    </>
  );
}
