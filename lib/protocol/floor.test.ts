import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

// The floors hold only while nobody imports upward from them; a compiler does not check that, so this does.

const root = path.resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(rel));
    else if (/\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) out.push(rel);
  }
  return out;
}

/** Repo-relative targets of a file's imports of our own modules (packages and node: are skipped). */
function ownImports(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
  return specs.flatMap((s) => {
    if (s.startsWith('@/')) return [s.slice(2)];
    if (s.startsWith('.')) return [path.relative(root, path.resolve(path.dirname(path.join(root, file)), s))];
    return [];
  });
}

function offenders(dirs: string[], allowed: string[]): string[] {
  return dirs.flatMap(sources).flatMap((f) => ownImports(f).filter((t) => !allowed.some((a) => t.startsWith(a))).map((t) => `${f} → ${t}`));
}

describe('import floors', () => {
  test('lib/protocol imports nothing outside lib/protocol', () => {
    assert.deepEqual(offenders(['lib/protocol'], ['lib/protocol/']), []);
  });

  test('lib/errors imports nothing of ours outside lib/errors', () => {
    assert.deepEqual(offenders(['lib/errors'], ['lib/errors/']), []);
  });

  test('the store imports no build backend module', () => {
    assert.deepEqual(offenders(['lib/store'], ['lib/store/', 'lib/protocol/', 'lib/errors/', 'lib/config/']), []);
  });

  test('the build backend, the hub, auth and the store import nothing from the gateway (lib/upgrade)', () => {
    const upward = ['lib/build', 'lib/hub', 'lib/auth', 'lib/store'].flatMap(sources).flatMap((f) => ownImports(f).filter((t) => t.startsWith('lib/upgrade/')).map((t) => `${f} → ${t}`));
    assert.deepEqual(upward, []);
  });

  test('the UI imports only the floors and its own client modules', () => {
    assert.deepEqual(offenders(['lib/client', 'components'], ['lib/client/', 'lib/protocol/', 'lib/errors/', 'components/']), []);
  });
});
