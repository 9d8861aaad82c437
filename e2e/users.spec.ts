import { randomBytes } from 'node:crypto';
import { expect, signIn, test } from './fixtures';

// The users screen (issue 10 point 6): an admin creates an account, disables it while its owner has a page
// open — that page's sockets end with the sign-in sentence — enables it again, and deletes it.

const ENDED_SENTENCE = 'Your sign-in has expired. Sign in again.';

test.describe('the users screen', () => {
  test("create a user, disable them (their open page's sockets end with the sentence), delete them", async ({ page, admin, browser }) => {
    const person = { username: `pat-${randomBytes(3).toString('hex')}`, password: randomBytes(12).toString('base64url') };

    await page.goto('/login');
    await signIn(page, admin);
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Users' }).click();
    await expect(page).toHaveURL(/\/users$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();

    const form = page.getByRole('form', { name: 'New user' });
    await form.getByLabel('Username').fill(person.username);
    await form.getByLabel('First password').fill(person.password);
    await form.getByRole('button', { name: 'Create user' }).click();
    const row = page.getByRole('list', { name: 'Users' }).getByRole('listitem', { name: person.username });
    await expect(row).toBeVisible();

    // The new user signs in elsewhere and opens a project page: its sockets go live.
    const theirs = await browser.newContext();
    const them = await theirs.newPage();
    await them.goto('/login');
    await signIn(them, person);
    await expect(them.getByTestId('signed-in-user')).toHaveText(person.username);
    const newProject = them.getByRole('form', { name: 'New project' });
    await newProject.getByLabel('Project name').fill('Watched');
    await newProject.getByRole('button', { name: 'Create project' }).click();
    await them.getByRole('region', { name: 'Projects' }).getByRole('link', { name: /Watched/ }).click();
    const build = them.getByRole('region', { name: 'Build', exact: true });
    await expect(build.getByTestId('connection-badge')).toHaveAttribute('data-state', 'live');

    // Disabled: their open page says why its live parts stopped, within seconds.
    await row.getByRole('button', { name: `Disable ${person.username}` }).click();
    await expect(row.getByTestId('user-disabled')).toBeVisible();
    await expect(row.getByRole('status').last()).toContainText('signed out everywhere');
    await expect(them.getByTestId('stream-problem')).toContainText(ENDED_SENTENCE);
    await expect(build.getByTestId('connection-badge')).toHaveAttribute('data-state', 'offline');
    await expect(them.getByRole('region', { name: 'Files' })).toContainText(ENDED_SENTENCE);

    // Their sign-in is refused while disabled, with a sentence.
    await them.goto('/login');
    await signIn(them, person);
    await expect(them.getByRole('form', { name: 'Sign in' }).getByRole('alert')).toContainText('disabled');

    await row.getByRole('button', { name: `Enable ${person.username}` }).click();
    await expect(row.getByTestId('user-disabled')).toBeHidden();

    // Delete asks first, then the row is gone.
    await row.getByRole('button', { name: `Delete ${person.username}` }).click();
    const confirm = page.getByRole('dialog', { name: `Delete ${person.username}?` });
    await expect(confirm).toBeVisible();
    await confirm.getByRole('button', { name: 'Delete user' }).click();
    await expect(row).toBeHidden();
    await theirs.close();
  });

  test('an admin cannot delete or disable themselves; the screen says so before the server has to', async ({ page, admin }) => {
    await page.goto('/login');
    await signIn(page, admin);
    await expect(page.getByTestId('signed-in-user')).toHaveText(admin.username);
    await page.goto('/users');
    const mine = page.getByRole('list', { name: 'Users' }).getByRole('listitem', { name: admin.username });
    await expect(mine).toContainText('(you)');
    await expect(mine.getByRole('button', { name: `Delete ${admin.username}` })).toBeDisabled();
    await expect(mine.getByRole('button', { name: `Disable ${admin.username}` })).toBeDisabled();
  });

  test('a user who is not an admin is told the screen is not for them', async ({ page, users }) => {
    await page.goto('/login');
    const user = await users.create();
    await signIn(page, user);
    await expect(page.getByTestId('signed-in-user')).toHaveText(user.username);
    await expect(page.getByRole('navigation', { name: 'Admin' })).toHaveCount(0);
    await page.goto('/users');
    await expect(page.getByText('Only an admin can see this.')).toBeVisible();
  });

  test('anyone changes their own password from the header, and signs in with the new one', async ({ page, users }) => {
    const user = await users.create();
    const fresh = randomBytes(12).toString('base64url');
    await page.goto('/login');
    await signIn(page, user);
    await expect(page.getByTestId('signed-in-user')).toHaveText(user.username);
    await page.getByRole('banner').getByRole('button', { name: 'Password' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change your password' });
    await dialog.getByLabel('Current password').fill('not-my-password');
    await dialog.getByLabel('New password').fill(fresh);
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await expect(dialog.getByRole('alert')).toHaveText('The current password is not right.');
    await dialog.getByLabel('Current password').fill(user.password);
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await expect(dialog.getByRole('status')).toContainText('Your password is changed');
    await dialog.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login$/);
    await signIn(page, { username: user.username, password: fresh });
    await expect(page.getByTestId('signed-in-user')).toHaveText(user.username);
  });
});
