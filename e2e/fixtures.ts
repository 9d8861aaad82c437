import { randomBytes } from 'node:crypto';
import { test as base, expect, request as playwrightRequest, type APIRequestContext, type Page } from '@playwright/test';
import type { Role } from '@/lib/store/schema';
import { ENV, fromEnv } from './server-env';

// Fixtures for specs against the server global-setup started: who the admin is, and a factory for
// fresh users (each test gets its own, so tests never share projects or sessions).

export type Credentials = { username: string; password: string };
export type CreatedUser = Credentials & { id: string; role: Role };

type UserFactory = {
  /** Creates a user through `POST /api/users` as the admin. */
  create(options?: { role?: Role }): Promise<CreatedUser>;
};

export const test = base.extend<{ admin: Credentials; users: UserFactory }>({
  admin: async ({}, use) => {
    await use({ username: fromEnv(ENV.adminUsername), password: fromEnv(ENV.adminPassword) });
  },

  users: async ({ admin, baseURL }, use) => {
    // A context of its own, so the admin's sign-in cookie never leaks into the test's `request` or page.
    const api = await playwrightRequest.newContext({ baseURL });
    let adminToken: string | undefined;
    async function token(): Promise<string> {
      if (adminToken) return adminToken;
      const res = await api.post('/api/auth/login', { data: admin });
      expect(res.status(), await res.text()).toBe(200);
      adminToken = ((await res.json()) as { token: string }).token;
      return adminToken;
    }
    await use({
      async create({ role = 'user' } = {}) {
        const credentials = { username: `user-${randomBytes(4).toString('hex')}`, password: randomBytes(12).toString('base64url') };
        const res = await api.post('/api/users', { headers: { authorization: `Bearer ${await token()}` }, data: { ...credentials, role } });
        expect(res.status(), await res.text()).toBe(201);
        const user = (await res.json()) as { id: string; role: Role };
        return { ...credentials, id: user.id, role: user.role };
      },
    });
    await api.dispose();
  },
});

export { expect };

/** Fills in and sends the sign-in form on the page it is on. */
export async function signIn(page: Page, { username, password }: Credentials): Promise<void> {
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Username').fill(username);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Sign in' }).click();
}

/** An API client signed in as `who` with a bearer token (no cookie, so no Origin rules apply). */
export async function apiAs(baseURL: string | undefined, who: Credentials): Promise<APIRequestContext> {
  const login = await playwrightRequest.newContext({ baseURL });
  const res = await login.post('/api/auth/login', { data: who });
  expect(res.status(), await res.text()).toBe(200);
  const { token } = (await res.json()) as { token: string };
  await login.dispose();
  return playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
}
