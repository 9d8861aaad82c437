'use client';

import { useCurrentUser } from './require-user';
import { SignOutButton } from './sign-out-button';

export function UserMenu() {
  const user = useCurrentUser();
  return (
    <div className="flex items-center gap-3">
      <div className="flex items-center gap-2.5">
        <span aria-hidden className="grid size-7 place-items-center rounded-full bg-sunken text-xs font-semibold uppercase text-muted">
          {user.username.slice(0, 1)}
        </span>
        <span className="flex flex-col leading-tight">
          <span className="sr-only">Signed in as </span>
          <span data-testid="signed-in-user" className="text-sm font-medium text-ink">
            {user.username}
          </span>
          <span className="hidden text-xs text-muted sm:block">{user.role === 'admin' ? 'Administrator' : 'User'}</span>
        </span>
      </div>
      <span aria-hidden className="h-5 w-px bg-line" />
      <SignOutButton />
    </div>
  );
}
