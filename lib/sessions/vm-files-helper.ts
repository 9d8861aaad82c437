// The program a VM file operation runs as (`node -e HELPER_SOURCE -- op path [maxBytes]`), inside a
// sandbox that sees the session's home as its working directory and nothing writable besides, as the
// VM's own uid (vm-files.ts starts it). Plain CommonJS, no imports of ours: it runs where nothing of
// Portico is mounted.
//
// It answers on stdout with one JSON line (a header), and for a read the file's bytes after it:
//   {"ok":true,"entries":[…]}  ·  {"ok":true,"bytes":N}  ·  {"ok":true,"bytes":N,"created":bool}
//   {"error":"ENOENT"|"EISDIR"|"ENOTDIR"|"ELOOP"|"ENOTFILE"|"TOO_LARGE"|"ENOSPC"|"EACCES"|"FAILED"}
// The last component of a path is opened with O_NOFOLLOW and links are listed as links, never followed:
// the UI shows what is in the home. (Inside the sandbox a link could only reach what the VM sees anyway.)
export const HELPER_SOURCE = String.raw`
const fs = require('fs');
const path = require('path');
const [op, rel, arg] = process.argv.slice(1);
const MAX_ENTRIES = 2000;
const KNOWN = ['ENOENT', 'EISDIR', 'ENOTDIR', 'ELOOP', 'ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EFBIG', 'EEXIST', 'ENAMETOOLONG'];
function header(h) { fs.writeSync(1, JSON.stringify(h) + '\n'); }
function fail(err) {
  const code = typeof err === 'string' ? err : err && err.code;
  header({ error: code === 'EDQUOT' || code === 'EFBIG' ? 'ENOSPC' : code === 'EPERM' ? 'EACCES' : KNOWN.includes(code) ? code : 'FAILED' });
  process.exit(0);
}
const target = rel === '' ? '.' : rel;
function kind(st) { return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : 'other'; }
try {
  if (op === 'list') {
    const st = fs.lstatSync(target);
    if (st.isSymbolicLink()) fail('ELOOP');
    if (!st.isDirectory()) fail('ENOTDIR');
    const entries = [];
    let more = false;
    for (const name of fs.readdirSync(target)) {
      if (entries.length >= MAX_ENTRIES) { more = true; break; }
      let e;
      try { e = fs.lstatSync(path.join(target, name)); } catch { continue; }
      entries.push({ name, type: kind(e), bytes: e.isFile() ? e.size : 0, modifiedAt: Math.round(e.mtimeMs) });
    }
    header({ ok: true, entries, more });
  } else if (op === 'read') {
    const fd = fs.openSync(target, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) fail('EISDIR');
    if (!st.isFile()) fail('ENOTFILE');
    header({ ok: true, bytes: st.size });
    if (st.size === 0) process.exit(0);
    // Exactly the size announced: a file that grows meanwhile is cut there, so Content-Length holds.
    fs.createReadStream(null, { fd, start: 0, end: st.size - 1 }).pipe(process.stdout);
  } else if (op === 'write') {
    const max = Number(arg);
    const dir = path.dirname(target);
    fs.mkdirSync(dir, { recursive: true });
    const existing = (() => { try { return fs.lstatSync(target); } catch { return null; } })();
    if (existing && existing.isDirectory()) fail('EISDIR');
    // A fresh name beside the target ('wx' is O_EXCL, which never follows a link), renamed over it at
    // the end: a reader sees the old file or the whole new one, and a link in its place is replaced.
    const tmp = path.join(dir, '.portico-upload-' + process.pid + '-' + Date.now());
    const fd = fs.openSync(tmp, 'wx', 0o644);
    let bytes = 0;
    let failed = null;
    const finish = () => {
      try { fs.closeSync(fd); } catch {}
      if (failed) { try { fs.unlinkSync(tmp); } catch {} return fail(failed); }
      try { fs.renameSync(tmp, target); } catch (err) { try { fs.unlinkSync(tmp); } catch {} return fail(err); }
      header({ ok: true, bytes, created: !existing });
    };
    process.stdin.on('data', (chunk) => {
      if (failed) return;
      bytes += chunk.length;
      if (bytes > max) { failed = 'TOO_LARGE'; return; }
      try { fs.writeSync(fd, chunk); } catch (err) { failed = err; }
    });
    process.stdin.on('end', finish);
    process.stdin.on('error', () => { failed = failed || 'FAILED'; finish(); });
    process.on('SIGTERM', () => { try { fs.unlinkSync(tmp); } catch {} process.exit(1); });
  } else {
    fail('FAILED');
  }
} catch (err) {
  fail(err);
}
`;
