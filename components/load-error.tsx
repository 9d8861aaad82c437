import Link from 'next/link';
import { Button } from './button';
import { ErrorSentence } from './error-sentence';

/** A list that could not load: the server's sentence, and the one thing that helps. */
export function LoadError({ message, status, onRetry }: { message: string; status: number; onRetry: () => void }) {
  return (
    <div className="space-y-3 px-5 py-5">
      <ErrorSentence>{message}</ErrorSentence>
      {status === 401 ? (
        <Link href="/login" className="inline-flex text-sm font-medium text-accent hover:underline">
          Sign in again
        </Link>
      ) : (
        <Button variant="secondary" onClick={onRetry}>
          Try again
        </Button>
      )}
    </div>
  );
}
