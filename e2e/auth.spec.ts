import { expect, signIn, test } from './fixtures';

test.describe('signing in and out', () => {
  test('an admin signs in, sees who is signed in, signs out, and the dashboard asks to sign in again', async ({ page, admin }) => {
    await page.goto('/login');
    await signIn(page, admin);

    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
    await expect(page.getByTestId('signed-in-user')).toHaveText(admin.username);
    await expect(page.getByRole('banner')).toContainText('Portico');
    await expect(page.getByRole('banner')).toContainText('Administrator');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();

    await page.goto('/');
    await expect(page).toHaveURL(/\/login\?next=%2F$/);
    await expect(page.getByRole('form', { name: 'Sign in' })).toBeVisible();
  });

  test('a wrong password is refused with the server’s sentence', async ({ page, admin }) => {
    await page.goto('/login');
    await signIn(page, { username: admin.username, password: 'not-the-password' });

    const form = page.getByRole('form', { name: 'Sign in' });
    await expect(form.getByRole('alert')).toHaveText('That username and password do not match.');
    await expect(page).toHaveURL(/\/login$/);
    await expect(form.getByLabel('Username')).toHaveValue(admin.username);
  });

  test('signing in from a redirect comes back to the page, but never follows next to another site', async ({ page, users }) => {
    const user = await users.create();
    await page.goto('/login?next=%2F%2Fevil.example%2F');
    await signIn(page, user);
    await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    await expect(page.getByTestId('signed-in-user')).toHaveText(user.username);
  });
});

test.describe('the dashboard', () => {
  test('a new user sees no projects, creates one and sees it listed', async ({ page, users }) => {
    const user = await users.create();
    await page.goto('/');
    await expect(page).toHaveURL(/\/login\?next=%2F$/);
    await signIn(page, user);

    await expect(page.getByTestId('signed-in-user')).toHaveText(user.username);
    const projects = page.getByRole('region', { name: 'Projects' });
    await expect(projects.getByText('No projects yet')).toBeVisible();
    await expect(page.getByRole('region', { name: 'VM sessions' }).getByText('No VM sessions yet')).toBeVisible();

    const newProject = page.getByRole('form', { name: 'New project' });
    await newProject.getByLabel('Project name').fill('Weather station');
    await newProject.getByRole('button', { name: 'Create project' }).click();

    await expect(projects.getByRole('list', { name: 'Projects' }).getByRole('listitem')).toHaveCount(1);
    await expect(projects.getByRole('listitem').first()).toContainText('Weather station');
    await expect(projects.getByText('No projects yet')).toBeHidden();
    await expect(newProject.getByLabel('Project name')).toHaveValue('');

    // It is stored, not just shown: a reload lists it from the server.
    await page.reload();
    await expect(projects.getByRole('listitem')).toHaveText([/Weather station/]);
  });
});
