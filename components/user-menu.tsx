'use client';

import { ChangePasswordButton } from './change-password-dialog';
import { useCurrentUser } from './require-user';
import { SignOutButton } from './sign-out-button';

export function UserMenu() {
  const user = useCurrentUser();
  return (
    <div className="flex min-w-0 items-center gap-2 sm:gap-3">
      <div className="flex min-w-0 items-center gap-2.5">
        <span aria-hidden className="hidden size-7 place-items-center sm:grid rounded-full bg-sunken text-xs font-semibold uppercase text-muted">
          {user.username.slice(0, 1)}
        </span>
        <span className="flex min-w-0 flex-col leading-tight">
          <span className="sr-only">Signed in as </span>
          {/* Names run to 64 characters: one line, cut short, whole in the tooltip. */}
          <span data-testid="signed-in-user" title={user.username} className="max-w-[7.5rem] truncate text-sm font-medium text-ink sm:max-w-[14rem]">
            {user.username}
          </span>
          <span className="hidden text-xs text-muted sm:block">{user.role === 'admin' ? 'Administrator' : 'User'}</span>
        </span>
      </div>
      <span aria-hidden className="hidden h-5 w-px bg-line sm:block" />
      <span className="flex shrink-0 items-center">
        <ChangePasswordButton />
        <SignOutButton />
      </span>
    </div>
  );
}
