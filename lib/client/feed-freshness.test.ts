import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STALE_AFTER_MS, feedFreshness } from './feed-freshness';

describe('feedFreshness', () => {
  const now = 1_000_000;

  it('is live while the socket is up and samples keep coming', () => {
    assert.equal(feedFreshness({ socket: 'live', lastReceivedAt: now - 1900, now }), 'live');
  });

  it('is stale as soon as the socket is down, however recent the last sample', () => {
    for (const socket of ['reconnecting', 'offline', 'connecting'] as const) {
      assert.equal(feedFreshness({ socket, lastReceivedAt: now - 10, now }), 'stale', socket);
    }
  });

  it('is stale when a socket that looks up has sent nothing for a few seconds', () => {
    assert.equal(feedFreshness({ socket: 'live', lastReceivedAt: now - STALE_AFTER_MS, now }), 'live');
    assert.equal(feedFreshness({ socket: 'live', lastReceivedAt: now - STALE_AFTER_MS - 1, now }), 'stale');
  });

  it('waits for the first sample, unless the socket was lost before it came', () => {
    assert.equal(feedFreshness({ socket: 'connecting', lastReceivedAt: null, now }), 'waiting');
    assert.equal(feedFreshness({ socket: 'live', lastReceivedAt: null, now }), 'waiting');
    assert.equal(feedFreshness({ socket: 'reconnecting', lastReceivedAt: null, now }), 'stale');
  });
});
