import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { APIRequestContext, Page } from '@playwright/test';
import WebSocket from 'ws';
import { expect, signIn, test, type Credentials } from './fixtures';
import { ENV, fromEnv } from './server-env';

// The FileManager on the project page: a live tree of the workspace, whatever writes to it.

async function tokenFor(request: APIRequestContext, user: Credentials): Promise<string> {
  const res = await request.post('/api/auth/login', { data: user });
  expect(res.status()).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

async function createProject(request: APIRequestContext, token: string, name: string): Promise<string> {
  const res = await request.post('/api/projects', { headers: { authorization: `Bearer ${token}` }, data: { name } });
  expect(res.status()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** Signs in on the way to the project page and waits until its file feed is live. */
async function openProject(page: Page, user: Credentials, projectId: string) {
  await page.goto(`/projects/${projectId}`);
  await signIn(page, user);
  await expect(page).toHaveURL(new RegExp(`/projects/${projectId}$`));
  const files = page.getByRole('region', { name: 'Files' });
  await expect(files.getByRole('status', { name: 'Live file updates: Live' })).toBeVisible();
  return files;
}

const fileButton = (files: ReturnType<Page['getByRole']>, name: string) => files.getByRole('list', { name: 'Files' }).getByRole('button', { name, exact: true });

test.describe('the FileManager', () => {
  test('shows the files of a running build as they are written, without a reload', async ({ page, users, request, baseURL }) => {
    const user = await users.create();
    const token = await tokenFor(request, user);
    const projectId = await createProject(request, token, 'Todo');
    const files = await openProject(page, user, projectId);
    await expect(files.getByText('No files yet')).toBeVisible();
    await page.evaluate(() => ((window as unknown as { samePage: boolean }).samePage = true));

    // Another client starts the build: this page only watches the workspace.
    const ws = new WebSocket(`${baseURL!.replace(/^http/, 'ws')}/api/build/${projectId}?token=${encodeURIComponent(token)}`);
    const finished = new Promise<string>((resolve, reject) => {
      ws.on('message', (raw) => {
        const msg = JSON.parse(raw.toString()) as { type: string; status?: string };
        if (msg.type === 'done') resolve(msg.status ?? '');
      });
      ws.once('error', reject);
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ type: 'start', prompt: 'a todo list' }));

    for (const name of ['index.html', 'styles.css', 'app.js']) await expect(fileButton(files, name)).toBeVisible({ timeout: 20_000 });
    await expect(files.getByText('No files yet')).toBeHidden();
    expect(await finished).toBe('succeeded');
    ws.close();

    await fileButton(files, 'index.html').click();
    await expect(files.getByTestId('file-content')).toContainText('<script src="app.js"></script>');
    expect(await page.evaluate(() => (window as unknown as { samePage?: boolean }).samePage)).toBe(true);
  });

  test('uploads two files at once, each with a progress bar that reaches done', async ({ page, users, request }) => {
    const user = await users.create();
    const projectId = await createProject(request, await tokenFor(request, user), 'Uploads');
    const files = await openProject(page, user, projectId);

    const alpha = randomBytes(3 * 1024 * 1024);
    const beta = Buffer.from('a line of text\n'.repeat(200_000));
    await files.getByLabel('Choose files to upload').setInputFiles([
      { name: 'alpha.bin', mimeType: 'application/octet-stream', buffer: alpha },
      { name: 'beta.txt', mimeType: 'text/plain', buffer: beta },
    ]);

    const uploads = files.getByRole('list', { name: 'Uploads' });
    await expect(uploads.getByTestId('upload-row')).toHaveCount(2);
    for (const name of ['alpha.bin', 'beta.txt']) {
      const bar = uploads.getByRole('progressbar', { name: `Upload of ${name}` });
      await expect(bar).toHaveAttribute('aria-valuenow', '100');
      await expect(bar).toHaveAttribute('aria-valuetext', 'Uploaded');
      await expect(fileButton(files, name)).toBeVisible();
    }
    await expect(uploads.getByTestId('upload-row').filter({ hasText: 'Uploaded' })).toHaveCount(2);

    const onDisk = path.join(fromEnv(ENV.dataDir), 'workspaces', projectId);
    expect(fs.readFileSync(path.join(onDisk, 'alpha.bin')).equals(alpha)).toBe(true);
    expect(fs.statSync(path.join(onDisk, 'beta.txt')).size).toBe(beta.length);

    await fileButton(files, 'alpha.bin').click();
    await expect(files.getByTestId('file-viewer')).toContainText('This is a binary file');
    await fileButton(files, 'beta.txt').click();
    await expect(files.getByTestId('file-viewer')).toContainText('the file is too large to show whole');
  });

  test('a file written on disk by another process appears, opens, and goes when it is removed', async ({ page, users, request }) => {
    const user = await users.create();
    const projectId = await createProject(request, await tokenFor(request, user), 'Notes');
    const files = await openProject(page, user, projectId);

    const dir = path.join(fromEnv(ENV.dataDir), 'workspaces', projectId);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'Written by someone else.\n');

    await fileButton(files, 'notes.txt').click();
    await expect(files.getByTestId('file-content')).toHaveText(/Written by someone else\./);

    fs.rmSync(path.join(dir, 'notes.txt'));
    await expect(fileButton(files, 'notes.txt')).toBeHidden();
    await expect(files.getByTestId('file-viewer')).toContainText('This file was deleted.');
  });

  test('an event a backend emits to the project’s files topic reaches the page', async ({ page, users, request }) => {
    const user = await users.create();
    const projectId = await createProject(request, await tokenFor(request, user), 'Emitted');
    const files = await openProject(page, user, projectId);

    const emit = (data: unknown) =>
      request.post('/api/emit', { headers: { authorization: `Bearer ${fromEnv(ENV.emitToken)}` }, data: { topic: `project:${projectId}:files`, data } });
    expect((await emit({ op: 'created', path: 'from-emit.txt', bytes: 1 })).status()).toBe(202);
    const row = files.getByTestId('file-row').filter({ has: page.getByRole('button', { name: 'from-emit.txt', exact: true }) });
    await expect(row).toContainText('1 byte');

    expect((await emit({ op: 'changed', path: 'from-emit.txt', bytes: 2048 })).status()).toBe(202);
    await expect(row).toContainText('2 KB');

    expect((await emit({ op: 'deleted', path: 'from-emit.txt' })).status()).toBe(202);
    await expect(fileButton(files, 'from-emit.txt')).toBeHidden();
  });

  test('deletes a file only after the question is answered', async ({ page, users, request }) => {
    const user = await users.create();
    const token = await tokenFor(request, user);
    const projectId = await createProject(request, token, 'Deletes');
    const put = await request.put(`/api/projects/${projectId}/files/old.txt`, { headers: { authorization: `Bearer ${token}` }, data: 'old' });
    expect(put.status()).toBe(201);
    const files = await openProject(page, user, projectId);

    await files.getByRole('button', { name: 'Delete old.txt' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete old.txt?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();
    await expect(fileButton(files, 'old.txt')).toBeVisible();

    await files.getByRole('button', { name: 'Delete old.txt' }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expect(dialog).toBeHidden();
    await expect(fileButton(files, 'old.txt')).toBeHidden();
    await expect(files.getByText('No files yet')).toBeVisible();
    expect(fs.existsSync(path.join(fromEnv(ENV.dataDir), 'workspaces', projectId, 'old.txt'))).toBe(false);
  });

  test('a file over the upload limit is refused with the server’s sentence on its row', async ({ page, users, request }) => {
    const user = await users.create();
    const projectId = await createProject(request, await tokenFor(request, user), 'Too big');
    const files = await openProject(page, user, projectId);

    await files.getByLabel('Choose files to upload').setInputFiles([{ name: 'huge.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(11 * 1024 * 1024, 1) }]);
    const row = files.getByTestId('upload-row').filter({ hasText: 'huge.bin' });
    await expect(row).toHaveAttribute('data-state', 'failed');
    await expect(row.getByRole('alert')).toHaveText('The file is larger than 10 MB, the upload limit.');
    await expect(fileButton(files, 'huge.bin')).toBeHidden();
  });
});
