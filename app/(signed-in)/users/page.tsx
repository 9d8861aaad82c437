import type { Metadata } from 'next';
import { titleOf } from '@/lib/client/page-title';
import { UsersPanel } from '@/components/users-panel';

export const metadata: Metadata = { title: titleOf(['Users']) };

// The admin's users screen: create, change role, reset password, disable, sign out everywhere, delete.
export default function UsersPage() {
  return <UsersPanel />;
}
