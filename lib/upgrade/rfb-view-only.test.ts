import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_ENCODINGS, RfbClientFilter, type ShareRights } from './rfb-view-only';

// Byte streams as noVNC writes them (core/rfb.js RFB.messages), fed whole, in odd splits and a byte at a
// time: what reaches the VM must be the same whatever the network did to the chunks.

const u8 = (...b: number[]) => Buffer.from(b);
const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const s32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

const VERSION = Buffer.from('RFB 003.008\n', 'latin1');
const HANDSHAKE = Buffer.concat([VERSION, u8(1), u8(0)]); // None, then an *exclusive* ClientInit
const HANDSHAKE_OUT = Buffer.concat([VERSION, u8(1), u8(1)]); // ... which the VM sees as shared

const msg = {
  pixelFormat: Buffer.concat([u8(0, 0, 0, 0), u8(32, 24, 0, 1), u16(255), u16(255), u16(255), u8(16, 8, 0), u8(0, 0, 0)]),
  encodings: (list: number[]) => Buffer.concat([u8(2, 0), u16(list.length), ...list.map(s32)]),
  fbur: Buffer.concat([u8(3, 1), u16(0), u16(0), u16(1280), u16(800)]),
  key: (keysym: number, down: boolean) => Buffer.concat([u8(4, down ? 1 : 0, 0, 0), s32(keysym)]),
  pointer: (x: number, y: number, mask: number) => Buffer.concat([u8(5, mask), u16(x), u16(y)]),
  cut: (text: string) => Buffer.concat([u8(6, 0, 0, 0), s32(text.length), Buffer.from(text, 'latin1')]),
  extendedCut: (data: Buffer) => Buffer.concat([u8(6, 0, 0, 0), s32(-data.length), data]),
  continuous: Buffer.concat([u8(150, 1), u16(0), u16(0), u16(1280), u16(800)]),
  fence: (payload: Buffer) => Buffer.concat([u8(248, 0, 0, 0), s32(-0x7ffffffd), u8(payload.length), payload]),
  desktopSize: Buffer.concat([u8(251, 0), u16(1024), u16(768), u8(1, 0), s32(0), u16(0), u16(0), u16(1024), u16(768), s32(0)]),
  qemuKey: Buffer.concat([u8(255, 0), u16(1), s32(0x61), s32(30)]),
  xvp: u8(250, 0, 1, 4),
};

function feed(rights: ShareRights, stream: Buffer, split: 'whole' | 'bytes' | number): { out: Buffer; error?: string } {
  const f = new RfbClientFilter(rights);
  const step = split === 'whole' ? stream.length : split === 'bytes' ? 1 : split;
  const out: Buffer[] = [];
  for (let i = 0; i < stream.length; i += step) {
    const r = f.push(Buffer.from(stream.subarray(i, i + step)));
    if (!r.ok) return { out: Buffer.concat(out), error: r.reason };
    out.push(...r.out);
  }
  return { out: Buffer.concat(out) };
}

function eachSplit(fn: (split: 'whole' | 'bytes' | number) => void) {
  for (const split of ['whole', 'bytes', 3, 7, 13] as const) fn(split);
}

describe('RfbClientFilter', () => {
  const session = [
    msg.pixelFormat,
    msg.encodings([7, 1, 0, -223, -316, -224]),
    msg.fbur,
    msg.key(0x61, true),
    msg.key(0x61, false),
    msg.pointer(10, 20, 1),
    msg.cut('rm -rf ~'),
    msg.extendedCut(Buffer.alloc(40, 7)),
    msg.continuous,
    msg.fence(Buffer.from('abc')),
    msg.desktopSize,
    msg.qemuKey,
    msg.xvp,
    msg.fbur,
  ];

  test('forces ClientInit to shared, so a viewer never disconnects the owner', () => {
    eachSplit((split) => assert.deepEqual(feed('interactive', HANDSHAKE, split).out, HANDSHAKE_OUT));
  });

  test('drops every message that acts on the desktop from a view-only viewer, and keeps the rest', () => {
    const expected = Buffer.concat([HANDSHAKE_OUT, msg.pixelFormat, msg.encodings([7, 1, 0, -223, -224]), msg.fbur, msg.continuous, msg.fence(Buffer.from('abc')), msg.fbur]);
    eachSplit((split) => {
      const r = feed('view-only', Buffer.concat([HANDSHAKE, ...session]), split);
      assert.equal(r.error, undefined);
      assert.deepEqual(r.out, expected, `split ${split}`);
    });
  });

  test('passes an interactive viewer\'s input through, without ExtendedMouseButtons', () => {
    const expected = Buffer.concat([HANDSHAKE_OUT, ...session.map((m) => (m[0] === 2 ? msg.encodings([7, 1, 0, -223, -224]) : m))]);
    eachSplit((split) => assert.deepEqual(feed('interactive', Buffer.concat([HANDSHAKE, ...session]), split).out, expected, `split ${split}`));
  });

  test('forwards VNC authentication\'s 16-byte response', () => {
    const response = Buffer.alloc(16, 9);
    const r = feed('view-only', Buffer.concat([VERSION, u8(2), response, u8(0), msg.key(0x61, true), msg.fbur]), 'bytes');
    assert.deepEqual(r.out, Buffer.concat([VERSION, u8(2), response, u8(1), msg.fbur]));
  });

  test('skips a large clipboard from a view-only viewer without holding it', () => {
    const f = new RfbClientFilter('view-only');
    assert.ok(f.push(HANDSHAKE).ok);
    const big = msg.cut('x'.repeat(1_000_000));
    let forwarded = 0;
    for (let i = 0; i < big.length; i += 65536) {
      const r = f.push(big.subarray(i, i + 65536));
      assert.ok(r.ok);
      forwarded += r.out.reduce((n, b) => n + b.length, 0);
    }
    assert.equal(forwarded, 0);
    const after = f.push(msg.fbur);
    assert.ok(after.ok);
    assert.deepEqual(Buffer.concat(after.out), msg.fbur);
  });

  test('ends the stream at an unknown message type, saying which', () => {
    const r = feed('view-only', Buffer.concat([HANDSHAKE, msg.fbur, u8(42, 0, 0, 0)]), 'whole');
    assert.equal(r.error, 'unknown RFB message type 42');
  });

  test('ends the stream at malformed lengths', () => {
    assert.match(feed('view-only', Buffer.concat([HANDSHAKE, u8(248, 0, 0, 0), s32(0), u8(200)]), 'whole').error ?? '', /ClientFence with 200 bytes/);
    assert.match(feed('view-only', Buffer.concat([HANDSHAKE, u8(2, 0), u16(MAX_ENCODINGS + 1)]), 'whole').error ?? '', /more than 256 encodings/);
    assert.match(feed('view-only', Buffer.concat([HANDSHAKE, u8(6, 0, 0, 0), s32(-0x7fffffff)]), 'whole').error ?? '', /ClientCutText of 2147483647 bytes/);
    assert.match(feed('view-only', Buffer.concat([HANDSHAKE, u8(255, 9, 0, 0)]), 'whole').error ?? '', /QEMU message subtype 9/);
  });

  test('refuses handshakes it cannot follow', () => {
    assert.match(feed('view-only', Buffer.from('RFB 003.003\n'), 'whole').error ?? '', /3.7 or 3.8 only/);
    assert.match(feed('view-only', Buffer.concat([VERSION, u8(19)]), 'whole').error ?? '', /security type 19 cannot be shared/);
  });

  test('stays refused after a failure', () => {
    const f = new RfbClientFilter('interactive');
    assert.equal(f.push(Buffer.concat([HANDSHAKE, u8(7)])).ok, false);
    assert.equal(f.push(msg.fbur).ok, false);
  });
});
