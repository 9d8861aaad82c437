import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkExternalTarget } from './target-allow';

test('external VNC targets must match VNC_TARGET_ALLOW', () => {
  const allow = ['10.0.0.0/8', '*.lab.example', 'vnc.example', '::1/128'];
  assert.equal(checkExternalTarget('tcp://10.2.3.4:5900', allow).ok, true);
  assert.equal(checkExternalTarget('ws://vm1.lab.example:6080/websockify', allow).ok, true);
  assert.equal(checkExternalTarget('tcp://vnc.example:5901', allow).ok, true);
  assert.equal(checkExternalTarget('tcp://[::1]:5901', allow).ok, true);
  assert.equal(checkExternalTarget('tcp://11.0.0.1:5900', allow).ok, false);
  assert.equal(checkExternalTarget('tcp://lab.example:5900', allow).ok, false);
  assert.equal(checkExternalTarget('tcp://evilvnc.example:5900', allow).ok, false);
  assert.equal(checkExternalTarget('http://10.0.0.1/', allow).ok, false);
  assert.equal(checkExternalTarget('tcp://10.0.0.1', allow).ok, false);
  assert.equal(checkExternalTarget('tcp://u:p@10.0.0.1:5900', allow).ok, false);
  const none = checkExternalTarget('tcp://10.0.0.1:5900', []);
  assert.ok(!none.ok && /VNC_TARGET_ALLOW/.test(none.message));
});
