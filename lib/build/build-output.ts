import path from 'node:path';

// Each build keeps what it wrote in a folder of its own, DATA_DIR/builds/<buildId>/files: it is where the
// build writes and verifies (the staging folder), what history, diff and preview read later, and what a
// cancelled or failed build leaves for inspection. Only a build that passes verify is copied into the
// project's workspace, so a bad build never touches the previous good files.

export function buildDir(dataDir: string, buildId: string): string {
  return path.join(dataDir, 'builds', buildId);
}

export function buildOutputDir(dataDir: string, buildId: string): string {
  return path.join(buildDir(dataDir, buildId), 'files');
}
