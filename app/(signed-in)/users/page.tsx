import type { Metadata } from 'next';
import { UsersPanel } from '@/components/users-panel';

export const metadata: Metadata = { title: 'Users' };

// The admin's users screen: create, change role, reset password, disable, sign out everywhere, delete.
export default function UsersPage() {
  return <UsersPanel />;
}
