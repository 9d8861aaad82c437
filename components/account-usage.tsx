'use client';

import type { Usage } from '@/lib/protocol/api';
import { useApiData } from '@/lib/client/use-api-data';

// Where the user stands against each limit of their account, in the server's own words ("3 of 50
// projects"), so a refusal is never the first they hear of a limit.
export function AccountUsage() {
  const { result } = useApiData<Usage>('/api/usage');
  if (result.state !== 'ready') return null;
  const { projects, sessions, storageBytes, buildsLastHour } = result.data;
  return (
    <p data-testid="account-usage" className="mt-1 text-xs text-muted">
      {[projects, sessions, storageBytes, buildsLastHour].map((line) => line.text).join(' · ')}
    </p>
  );
}
