// Debian packages the test suites drive for real: the browser, the VNC server, terminal and sandbox
// (bubblewrap) of the local VM provider, websockify for the ws:// VNC path, nginx in front of it all, HAProxy for the bench and the
// cluster, and the engines the scale-out tests run on (Redis, Postgres).
// As root they are installed with apt; otherwise we say exactly what to run.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');

// The file that proves each package is there.
const PROVIDES = {
  chromium: '/usr/bin/chromium',
  'tigervnc-standalone-server': '/usr/bin/Xvnc',
  xterm: '/usr/bin/xterm',
  websockify: '/usr/bin/websockify',
  nginx: '/usr/sbin/nginx',
  haproxy: '/usr/sbin/haproxy',
  bubblewrap: '/usr/bin/bwrap',
  'redis-server': '/usr/bin/redis-server',
  'postgresql-15': '/usr/lib/postgresql/15/bin/postgres',
};

let updated = false;

function ensureSystemPackages(packages) {
  const missing = packages.filter((p) => !fs.existsSync(PROVIDES[p] ?? `/usr/bin/${p}`));
  if (missing.length === 0) return [];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    console.log(`Missing system packages: ${missing.join(', ')}. Install them with: sudo apt-get install -y ${missing.join(' ')}`);
    return missing;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!updated) {
    console.log('Installing system packages: apt-get update');
    spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
    updated = true;
  }
  console.log(`Installing system packages: ${missing.join(' ')}`);
  spawnSync('apt-get', ['install', '-y', '-q', ...missing], { stdio: 'inherit', env });
  return missing.filter((p) => !fs.existsSync(PROVIDES[p] ?? `/usr/bin/${p}`));
}

module.exports = { ensureSystemPackages };
