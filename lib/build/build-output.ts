import fs from 'node:fs/promises';
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

/** Deletes the output folders of these builds (a deleted project's, or ones past BUILD_OUTPUTS_KEPT). */
export async function removeBuildOutputs(dataDir: string, buildIds: readonly string[]): Promise<void> {
  for (const id of buildIds) await fs.rm(buildDir(dataDir, id), { recursive: true, force: true, maxRetries: 3 });
}

/**
 * Keeps the output folders of the newest `keep` builds of a project and deletes the rest, so a project
 * built every day does not fill the disk with history. `newestFirst`: all the project's build ids.
 */
export async function trimBuildOutputs(dataDir: string, newestFirst: readonly string[], keep: number): Promise<number> {
  const old = newestFirst.slice(Math.max(1, keep));
  const present: string[] = [];
  for (const id of old) if (await fs.stat(buildDir(dataDir, id)).then(() => true, () => false)) present.push(id);
  await removeBuildOutputs(dataDir, present);
  return present.length;
}
