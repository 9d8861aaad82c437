import { defineConfig, devices } from '@playwright/test';

// End-to-end tests against the production server (server.ts with a Next production build), started by
// e2e/global-setup.ts on a free port with a fresh DATA_DIR. Browsers are not downloaded: Debian's
// Chromium drives the pages.

export default defineConfig({
  testDir: 'e2e',
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: 'list',
  globalSetup: './e2e/global-setup.ts',
  globalTeardown: './e2e/global-teardown.ts',
  use: {
    // Set by global-setup before the workers start; each worker reads this file again and sees it.
    baseURL: process.env.PORTICO_URL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  projects: [
    { name: 'direct', use: { ...devices['Desktop Chrome'] } },
    // The Build and VM-terminal journeys once more, through nginx with deploy/nginx.conf.
    { name: 'nginx', testMatch: /(build|vm)\.spec\.ts$/, use: { ...devices['Desktop Chrome'], baseURL: process.env.PORTICO_NGINX_URL } },
  ],
});
