import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HttpError } from '../errors/http-errors';
import { VmFileError, asHttpError, cleanHomePath, homeTargetOf } from './vm-files';

describe('cleanHomePath', () => {
  test('keeps a relative path, normalised', () => {
    assert.equal(cleanHomePath('docs//./a.txt', { allowRoot: false }), 'docs/a.txt');
  });

  test('the home itself only where a folder is asked for', () => {
    assert.equal(cleanHomePath('', { allowRoot: true }), '');
    assert.throws(() => cleanHomePath('', { allowRoot: false }), VmFileError);
  });

  test('refuses what the FileManager refuses, in words about the home', () => {
    for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'a\\b', 'x\u0000y']) {
      assert.throws(() => cleanHomePath(bad, { allowRoot: true }), (err: unknown) => err instanceof VmFileError && err.problem === 'bad_path', bad);
    }
    assert.throws(() => cleanHomePath('/etc/passwd', { allowRoot: false }), /relative to the home/);
  });
});

describe('asHttpError', () => {
  test('a full home is 507, too large is 413 with the limit, a stopped VM 409', () => {
    assert.equal((asHttpError(new VmFileError('full', 'x')) as HttpError).status, 507);
    const big = asHttpError(new VmFileError('too_large', 'x'), 1024 * 1024) as HttpError;
    assert.equal(big.status, 413);
    assert.match(big.message, /larger than 1 MB/);
    assert.equal((asHttpError(new VmFileError('not_running', 'x')) as HttpError).status, 409);
  });

  test('anything else passes through', () => {
    const err = new Error('boom');
    assert.equal(asHttpError(err), err);
  });
});

describe('homeTargetOf', () => {
  test('no running VM, or one without a uid of its own, cannot move files', () => {
    assert.throws(() => homeTargetOf(undefined), (err: unknown) => err instanceof VmFileError && err.problem === 'not_running');
    const vm = { sessionId: 'a', uid: null, socketPath: '', target: '', home: '/h', sandboxed: false };
    assert.throws(() => homeTargetOf(vm), (err: unknown) => err instanceof VmFileError && err.problem === 'unsupported');
    assert.deepEqual(homeTargetOf({ ...vm, uid: 200000, sandboxed: true }), { sessionId: 'a', home: '/h', uid: 200000, sandboxed: true });
  });
});
