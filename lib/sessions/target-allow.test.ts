import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { vetTarget, type Lookup } from './target-allow';

// A resolver standing in for DNS: which addresses each name has today.
const zone = (records: Record<string, string[]>): Lookup => async (host) => {
  const addrs = records[host];
  if (!addrs) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return addrs.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

const DNS = zone({
  'vm1.lab.example': ['10.1.2.3'],
  'vnc.example': ['192.0.2.10'],
  '127.0.0.1.lab.example': ['127.0.0.1'],
  'meta.lab.example': ['169.254.169.254'],
  'split.lab.example': ['10.1.2.4', '127.0.0.1'],
  'mapped.lab.example': ['::ffff:127.0.0.1'],
  'inside.corp': ['10.9.9.9'],
});

const allowed = async (target: string, allow: string[]) => (await vetTarget(target, allow, DNS)).ok;

describe('vetTarget', () => {
  test('lets through names, addresses and CIDRs the list names, and says which address to connect to', async () => {
    const allow = ['10.0.0.0/8', '*.lab.example', 'vnc.example', '::1/128'];
    const v = await vetTarget('ws://vm1.lab.example:6080/websockify', allow, DNS);
    assert.ok(v.ok);
    assert.equal(v.address, '10.1.2.3');
    assert.equal(await allowed('tcp://10.2.3.4:5900', allow), true);
    assert.equal(await allowed('tcp://vnc.example:5901', allow), true);
    assert.equal(await allowed('tcp://[::1]:5901', allow), true);
    // A name not listed passes when every address it has is in a listed CIDR.
    assert.equal(await allowed('tcp://inside.corp:5900', allow), true);
  });

  test('refuses what the list does not name, and malformed targets', async () => {
    const allow = ['10.0.0.0/8', '*.lab.example', 'vnc.example'];
    assert.equal(await allowed('tcp://11.0.0.1:5900', allow), false);
    assert.equal(await allowed('tcp://lab.example:5900', allow), false);
    assert.equal(await allowed('tcp://evilvnc.example:5900', allow), false);
    assert.equal(await allowed('http://10.0.0.1/', allow), false);
    assert.equal(await allowed('tcp://10.0.0.1', allow), false);
    assert.equal(await allowed('tcp://u:p@10.0.0.1:5900', allow), false);
    const none = await vetTarget('tcp://10.0.0.1:5900', [], DNS);
    assert.ok(!none.ok && /VNC_TARGET_ALLOW/.test(none.message));
  });

  test('a listed name that resolves to loopback, link-local or a mapped loopback is refused', async () => {
    const allow = ['*.lab.example'];
    for (const host of ['127.0.0.1.lab.example', 'meta.lab.example', 'split.lab.example', 'mapped.lab.example']) {
      const v = await vetTarget(`tcp://${host}:5900`, allow, DNS);
      assert.ok(!v.ok && v.problem === 'refused' && /loopback, link-local/.test(v.message), host);
    }
  });

  test('loopback passes only when listed as an address or CIDR, never by a name that looks like one', async () => {
    assert.equal(await allowed('ws://127.0.0.1:6080/', ['127.0.0.1']), true);
    assert.equal(await allowed('ws://127.0.0.1:6080/', ['127.0.0.0/8']), true);
    assert.equal(await allowed('ws://127.0.0.1:6080/', ['*.lab.example', '10.0.0.0/8']), false);
    assert.equal(await allowed('tcp://127.0.0.1.lab.example:5900', ['10.0.0.0/8', '127.0.0.2']), false);
    assert.equal(await allowed('tcp://[::1]:5900', ['*.lab.example']), false);
    assert.equal(await allowed('tcp://0.0.0.0:5900', ['*.lab.example']), false);
  });

  test('a name that does not resolve is "unresolved", not allowed', async () => {
    const v = await vetTarget('tcp://gone.lab.example:5900', ['*.lab.example'], DNS);
    assert.ok(!v.ok && v.problem === 'unresolved' && /does not resolve/.test(v.message));
  });

  test('with the system resolver, localhost is loopback like any other name', async () => {
    assert.equal((await vetTarget('tcp://localhost:5900', ['localhost'])).ok, false);
    const v = await vetTarget('tcp://localhost:5900', ['localhost', '127.0.0.1', '::1']);
    assert.ok(v.ok);
  });
});
