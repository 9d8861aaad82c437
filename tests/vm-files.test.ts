import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { localVncMissing } from '../lib/sessions/local-vnc';
import { isMounted } from '../lib/sessions/vm-home';
import { startGateway, type TestGateway } from './helpers/gateway';

// Files into and out of a VM's home through the API, with a real server and a real sandboxed VM, and the
// attacks a VM's own user can mount on it: links planted in the home, folders swapped for links mid-request.

const UPLOAD_MAX = 4 * 1024 * 1024;
const HOME_MAX = 16 * 1024 * 1024;
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const enc = (p: string) => p.split('/').map(encodeURIComponent).join('/');

describe('VM home files', { skip: localVncMissing() ?? (process.getuid?.() !== 0 ? 'needs root (a VM uid of its own)' : false) }, () => {
  let gw: TestGateway;
  let user: { id: string; token: string };
  let other: { id: string; token: string };
  let id: string;
  let otherId: string;
  let vm: { home: string; uid: number | null; sandboxed: boolean };
  let otherHome: string;

  const put = (p: string, body: Buffer | ReadableStream, token = user.token, sid = id) =>
    fetch(`${gw.url}/api/sessions/${sid}/files/${enc(p)}`, { method: 'PUT', body, headers: { authorization: `Bearer ${token}` }, duplex: 'half' } as RequestInit);
  const get = (p: string, token = user.token, sid = id) => fetch(`${gw.url}/api/sessions/${sid}/files/${enc(p)}`, { headers: { authorization: `Bearer ${token}` } });
  const list = (p: string) => fetch(`${gw.url}/api/sessions/${id}/files?path=${encodeURIComponent(p)}`, { headers: { authorization: `Bearer ${user.token}` } });

  before(async () => {
    gw = await startGateway({ VNC_PROVIDER: 'local', UPLOAD_MAX_BYTES: String(UPLOAD_MAX), VM_HOME_MAX_BYTES: String(HOME_MAX), MAX_STORAGE_BYTES_PER_USER: String(1024 ** 3) });
    user = await gw.createUser('files-user');
    other = await gw.createUser('files-other');
    const a = await gw.api('POST', '/api/sessions', { token: user.token, body: { name: 'files vm' } });
    assert.equal(a.status, 201, JSON.stringify(a.body));
    id = a.body.id;
    const b = await gw.api('POST', '/api/sessions', { token: other.token, body: { name: 'other vm' } });
    assert.equal(b.status, 201, JSON.stringify(b.body));
    otherId = b.body.id;
    vm = gw.portico.localVnc!.get(id)!;
    otherHome = gw.portico.localVnc!.get(otherId)!.home;
    fs.writeFileSync(path.join(otherHome, 'secret.txt'), 'the other session');
  });
  after(() => gw?.close());

  test('an upload lands in the home, owned by the VM user, and downloads byte-exact', async () => {
    const bytes = randomBytes(300_000);
    const up = await put('docs/data.bin', bytes);
    assert.equal(up.status, 201, await up.clone().text());
    assert.deepEqual(await up.json(), { path: 'docs/data.bin', bytes: bytes.length, op: 'created' });
    const onDisk = path.join(vm.home, 'docs/data.bin');
    assert.equal(sha(fs.readFileSync(onDisk)), sha(bytes));
    assert.equal(fs.statSync(onDisk).uid, vm.uid);
    assert.equal(fs.statSync(path.dirname(onDisk)).uid, vm.uid);

    const down = await get('docs/data.bin');
    assert.equal(down.status, 200);
    assert.equal(down.headers.get('content-length'), String(bytes.length));
    assert.match(down.headers.get('content-disposition') ?? '', /^attachment; filename="data.bin"/);
    assert.equal(sha(Buffer.from(await down.arrayBuffer())), sha(bytes));

    const again = await put('docs/data.bin', Buffer.from('smaller'));
    assert.equal(again.status, 200);
    assert.equal(fs.readFileSync(onDisk, 'utf8'), 'smaller');

    const root = await (await list('')).json();
    assert.deepEqual(root.entries.find((e: { name: string }) => e.name === 'docs'), { name: 'docs', type: 'dir', bytes: 0, modifiedAt: root.entries.find((e: { name: string }) => e.name === 'docs').modifiedAt });
    const docs = await (await list('docs')).json();
    assert.deepEqual(docs.entries.map((e: { name: string; type: string; bytes: number }) => [e.name, e.type, e.bytes]), [['data.bin', 'file', 7]]);
    // Nothing temporary stays behind.
    assert.deepEqual(fs.readdirSync(path.join(vm.home, 'docs')), ['data.bin']);
  });

  test('a file the VM made downloads byte-exact; an empty one too', async () => {
    const made = randomBytes(70_000);
    fs.writeFileSync(path.join(vm.home, 'made.bin'), made);
    fs.chownSync(path.join(vm.home, 'made.bin'), vm.uid!, vm.uid!);
    assert.equal(sha(Buffer.from(await (await get('made.bin')).arrayBuffer())), sha(made));
    fs.writeFileSync(path.join(vm.home, 'empty'), '');
    const empty = await get('empty');
    assert.equal(empty.status, 200);
    assert.equal((await empty.arrayBuffer()).byteLength, 0);
  });

  test('bad paths are 400 with the FileManager’s sentences, and nothing is written', async () => {
    for (const bad of ['../escape.txt', 'a/../../escape.txt', '/etc/passwd', 'a\\b', 'x\u0001y', 'a/b/c/d/e/f/g/h/i/j.txt']) {
      const r = await fetch(`${gw.url}/api/sessions/${id}/files/${encodeURIComponent(bad)}`, { method: 'PUT', body: 'x', headers: { authorization: `Bearer ${user.token}` } });
      assert.equal(r.status, 400, bad);
      assert.ok((await r.json()).error.message.length > 10);
    }
    assert.equal((await list('../')).status, 400);
    assert.equal(fs.existsSync(path.join(path.dirname(vm.home), 'escape.txt')), false);
    assert.equal((await get('missing.txt')).status, 404);
    assert.equal((await get('docs')).status, 400, 'a folder is not a download');
  });

  test('links planted by the VM user are never followed: not to /etc/shadow, not to another home', async () => {
    const shadowBefore = sha(fs.readFileSync('/etc/shadow'));
    const plant = (name: string, to: string) => {
      fs.symlinkSync(to, path.join(vm.home, name));
      fs.lchownSync(path.join(vm.home, name), vm.uid!, vm.uid!);
    };
    plant('shadow', '/etc/shadow');
    plant('other-home', otherHome);
    plant('other-secret', path.join(otherHome, 'secret.txt'));
    plant('etc', '/etc');

    for (const p of ['shadow', 'other-secret']) {
      const r = await get(p);
      assert.equal(r.status, 400, p);
      assert.match((await r.json()).error.message, /link/);
    }
    assert.equal((await get('other-home/secret.txt')).status, 404, 'the other home is not in the sandbox');
    assert.equal((await get('etc/shadow')).status, 404, 'the host /etc/shadow is not in the sandbox');
    assert.equal((await list('other-home')).status, 400);
    assert.equal((await list('etc')).status, 400);
    const root = await (await list('')).json();
    assert.equal(root.entries.find((e: { name: string }) => e.name === 'shadow').type, 'link');

    // Writing through a link: the link is replaced by a file in the home, its target untouched.
    assert.ok([201, 200].includes((await put('shadow', Buffer.from('mine'))).status));
    assert.equal(sha(fs.readFileSync('/etc/shadow')), shadowBefore);
    assert.equal(fs.lstatSync(path.join(vm.home, 'shadow')).isFile(), true);
    const intoOther = await put('other-home/planted.txt', Buffer.from('x'));
    assert.ok(intoOther.status >= 400, `writing under a link to another home: ${intoOther.status}`);
    assert.equal(fs.existsSync(path.join(otherHome, 'planted.txt')), false);
    const intoEtc = await put('etc/portico-planted', Buffer.from('x'));
    assert.ok(intoEtc.status >= 400);
    assert.equal(fs.existsSync('/etc/portico-planted'), false);
  });

  test('a folder swapped for a link while requests run never lets a byte reach outside the home', async () => {
    const real = path.join(vm.home, 'swap');
    const aside = path.join(vm.home, 'swap.real');
    fs.mkdirSync(real);
    fs.writeFileSync(path.join(real, 'f'), 'inside');
    fs.chownSync(real, vm.uid!, vm.uid!);
    fs.chownSync(path.join(real, 'f'), vm.uid!, vm.uid!);
    const link = path.join(vm.home, 'swap.link');
    fs.symlinkSync(otherHome, link);
    let racing = true;
    const racer = (async () => {
      // As fast as the VM user could: the folder and a link to the other home trade places.
      while (racing) {
        try {
          fs.renameSync(real, aside);
          fs.renameSync(link, real);
          await new Promise((r) => setImmediate(r));
          fs.renameSync(real, link);
          fs.renameSync(aside, real);
        } catch {
          // a rename lost to the other: carry on
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const [w, r, l] = await Promise.all([put('swap/f', Buffer.from(`inside ${i}`)), get('swap/secret.txt'), list('swap')]);
      seen.add(`${w.status}/${r.status}/${l.status}`);
      assert.notEqual(r.status, 200, 'the other home was read through the swapped folder');
      if (l.status === 200) assert.equal((await l.json()).entries.some((e: { name: string }) => e.name === 'secret.txt'), false);
    }
    racing = false;
    await racer;
    assert.equal(fs.existsSync(path.join(otherHome, 'f')), false, `the other home is untouched (${[...seen].join(', ')})`);
    assert.equal(fs.readFileSync(path.join(otherHome, 'secret.txt'), 'utf8'), 'the other session');
  });

  test('past the upload limit: 413, and no partial file stays', async () => {
    const big = randomBytes(UPLOAD_MAX + 1);
    const declared = await put('big.bin', big);
    assert.equal(declared.status, 413);
    // Chunked: no Content-Length to refuse early, so the bytes are counted as they arrive.
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < big.length; i += 1024 * 1024) c.enqueue(big.subarray(i, i + 1024 * 1024));
        c.close();
      },
    });
    const chunked = await put('big.bin', stream).catch(() => null);
    if (chunked) {
      assert.equal(chunked.status, 413);
      assert.match((await chunked.json()).error.message, /larger than/);
    }
    assert.deepEqual(fs.readdirSync(vm.home).filter((n) => n.startsWith('big') || n.startsWith('.portico-upload')), []);
  });

  test('a full home is 507 with a sentence, and leaves nothing behind', { skip: false }, async (t) => {
    if (!isMounted(vm.home)) return t.skip('the home is a measured folder here, not an image with a size');
    const chunk = randomBytes(UPLOAD_MAX - 1024);
    let last: Response | null = null;
    for (let i = 0; i < HOME_MAX / UPLOAD_MAX + 2; i++) {
      last = await put(`fill-${i}.bin`, chunk);
      if (last.status !== 201) break;
    }
    assert.equal(last!.status, 507);
    assert.match((await last!.json()).error.message, /full/);
    assert.equal(fs.readdirSync(vm.home).filter((n) => n.startsWith('.portico-upload')).length, 0);
    for (const n of fs.readdirSync(vm.home).filter((n) => n.startsWith('fill-'))) fs.rmSync(path.join(vm.home, n));
  });

  test('someone else’s session is not found; a stopped VM says so', async () => {
    assert.equal((await get('made.bin', other.token)).status, 403);
    assert.equal((await put('x', Buffer.from('x'), other.token)).status, 403);
    gw.portico.localVnc!.get(otherId);
    await gw.portico.localVnc!.stop(otherId);
    const r = await get('secret.txt', other.token, otherId);
    assert.equal(r.status, 409);
    assert.match((await r.json()).error.message, /not running/);
  });
});
