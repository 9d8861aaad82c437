'use client';

import { KeyRound, LogOut, Trash2, UserCheck, UserX } from 'lucide-react';
import { useId } from 'react';
import type { ManagedUser } from '@/lib/protocol/api';
import { Button } from './button';
import { CreatedAt } from './created-at';
import { SELECT_CLASS } from './new-user-form';

export type UserAction =
  | { kind: 'role'; role: 'admin' | 'user' }
  | { kind: 'disable' }
  | { kind: 'enable' }
  | { kind: 'password' }
  | { kind: 'sign-out' }
  | { kind: 'delete' };

/** One account: who, what role, whether it can sign in, and the admin's actions on it. */
export function UserRow({ user, self, busy, onAction }: { user: ManagedUser; self: boolean; busy: boolean; onAction(action: UserAction): void }) {
  const id = useId();
  // The server refuses these for your own account (you cannot lock yourself out); say so before asking.
  const selfHint = self ? 'You cannot do this to your own account.' : undefined;
  return (
    <div className="flex flex-col gap-3 lg:flex-row lg:items-center">
      <div className="flex min-w-0 flex-1 items-center gap-3">
        <span aria-hidden className={`grid size-8 shrink-0 place-items-center rounded-full text-sm font-semibold uppercase ${user.disabled ? 'bg-sunken text-muted' : 'bg-accent/10 text-accent'}`}>
          {user.username.slice(0, 1)}
        </span>
        <div className="min-w-0">
          <p className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm font-medium text-ink">
            <span className="truncate" data-testid="user-name">
              {user.username}
            </span>
            {self ? <span className="text-xs font-normal text-muted">(you)</span> : null}
            {user.disabled ? (
              <span data-testid="user-disabled" className="rounded-full border border-danger-line bg-danger-soft px-2 py-0.5 text-xs font-medium text-danger">
                Disabled
              </span>
            ) : null}
          </p>
          <p className="mt-0.5 flex flex-wrap items-center gap-x-2 text-xs text-muted">
            <span>
              {user.activeSessions} active sign-in{user.activeSessions === 1 ? '' : 's'}
            </span>
            <span aria-hidden>·</span>
            <CreatedAt ms={user.createdAt} />
          </p>
        </div>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor={`${id}-role`} className="sr-only">
          Role of {user.username}
        </label>
        <select
          id={`${id}-role`}
          className={`${SELECT_CLASS} w-24`}
          value={user.role}
          disabled={busy || self}
          title={selfHint}
          onChange={(e) => onAction({ kind: 'role', role: e.target.value as 'admin' | 'user' })}
        >
          <option value="user">User</option>
          <option value="admin">Admin</option>
        </select>
        <Button variant="secondary" className="h-9 px-2.5" disabled={busy} onClick={() => onAction({ kind: 'password' })} aria-label={`Reset the password of ${user.username}`}>
          <KeyRound aria-hidden className="size-4" />
          <span className="hidden sm:inline">Reset password</span>
        </Button>
        {user.disabled ? (
          <Button variant="secondary" className="h-9 px-2.5" disabled={busy} onClick={() => onAction({ kind: 'enable' })} aria-label={`Enable ${user.username}`}>
            <UserCheck aria-hidden className="size-4" />
            <span className="hidden sm:inline">Enable</span>
          </Button>
        ) : (
          <Button variant="secondary" className="h-9 px-2.5" disabled={busy || self} title={selfHint} onClick={() => onAction({ kind: 'disable' })} aria-label={`Disable ${user.username}`}>
            <UserX aria-hidden className="size-4" />
            <span className="hidden sm:inline">Disable</span>
          </Button>
        )}
        <Button variant="secondary" className="h-9 px-2.5" disabled={busy} onClick={() => onAction({ kind: 'sign-out' })} aria-label={`Sign ${user.username} out everywhere`}>
          <LogOut aria-hidden className="size-4" />
          <span className="hidden sm:inline">Sign out everywhere</span>
        </Button>
        <Button variant="ghost" className="h-9 px-2.5 text-danger hover:text-danger" disabled={busy || self} title={selfHint} onClick={() => onAction({ kind: 'delete' })} aria-label={`Delete ${user.username}`}>
          <Trash2 aria-hidden className="size-4" />
          <span className="hidden sm:inline">Delete</span>
        </Button>
      </div>
    </div>
  );
}
