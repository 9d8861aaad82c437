import type { ReactNode } from 'react';

// The viewer stands alone (it is what the session page frames): no dashboard header, nothing to scroll.
export default function ViewerLayout({ children }: { children: ReactNode }) {
  return <div className="h-dvh overflow-hidden">{children}</div>;
}
