import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as wsModule from 'ws';

// ws ships its frame encoder but @types/ws does not declare it.
const { Sender } = wsModule as unknown as { Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] } };
import { FrameTracker, OP, acceptKey, chooseSubprotocol, closeFrame, closeReason, decodeClose, decodeFrames, encodeFrame, frameHeader, isClientKey, newClientKey, parseHeader, unmask } from './ws-frames';

// Frames built by ws's own Sender, so the tracker is checked against a real implementation.
function frames(data: Buffer | string, opts: { mask: boolean; opcode?: number }) {
  const list = Sender.frame(typeof data === 'string' ? Buffer.from(data) : data, {
    fin: true,
    rsv1: false,
    opcode: opts.opcode ?? 2,
    mask: opts.mask,
    maskBuffer: Buffer.from([1, 2, 3, 4]),
    readOnly: false,
  });
  return Buffer.concat(list);
}

describe('FrameTracker', () => {
  test('finds boundaries of small, 16-bit and 64-bit length frames fed one byte at a time', () => {
    for (const size of [0, 5, 125, 126, 70000]) {
      const t = new FrameTracker();
      const f = frames(Buffer.alloc(size, 7), { mask: size % 2 === 0 });
      for (let i = 0; i < f.length; i++) {
        t.consume(f.subarray(i, i + 1));
        assert.equal(t.atBoundary, i === f.length - 1, `size ${size} byte ${i}`);
      }
    }
  });
  test('reads the close code of masked and unmasked close frames', () => {
    const body = Buffer.concat([Buffer.from([0x0f, 0xa1]), Buffer.from('bye')]);
    for (const mask of [false, true]) {
      const t = new FrameTracker();
      t.consume(Buffer.concat([frames('hi', { mask, opcode: 1 }), frames(body, { mask, opcode: 8 })]));
      assert.equal(t.closeCode, 4001);
      assert.ok(t.atBoundary);
    }
  });
  test('follows several frames in one read, split into two reads anywhere', () => {
    const body = Buffer.concat([Buffer.from([0x0f, 0xa1]), Buffer.from('bye')]);
    const stream = Buffer.concat([
      frames('a', { mask: true, opcode: 1 }),
      frames(Buffer.alloc(200, 1), { mask: false }),
      frames(Buffer.alloc(70000, 2), { mask: true }),
      frames(body, { mask: true, opcode: 8 }),
    ]);
    const splits = [...Array.from({ length: 260 }, (_, i) => i), 35_000, ...Array.from({ length: 30 }, (_, i) => stream.length - i)];
    for (const split of splits) {
      const t = new FrameTracker();
      t.consume(stream.subarray(0, split));
      t.consume(stream.subarray(split));
      assert.ok(t.atBoundary, `split at ${split}`);
      assert.equal(t.closeCode, 4001, `split at ${split}`);
    }
  });
  test('closeFrame builds a frame the tracker reads back', () => {
    const t = new FrameTracker();
    t.consume(closeFrame(1001, 'going away'));
    assert.equal(t.closeCode, 1001);
    assert.ok(t.atBoundary);
  });
});

describe('unmask', () => {
  const mask = Buffer.from([0x9a, 0x01, 0xfe, 0x37]);
  const reference = (data: Buffer) => Buffer.from(data.map((b, i) => b ^ mask[i & 3]));

  test('gives the bytes back whatever the alignment and wherever a payload is split across reads', () => {
    const plain = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 31) & 0xff));
    const masked = reference(plain);
    for (const lead of [0, 1, 2, 3, 5]) {
      for (const split of [0, 1, 3, 4, 7, 500, 999]) {
        // Two reads, each with `lead` bytes of something else before the payload.
        const a = Buffer.concat([Buffer.alloc(lead), masked.subarray(0, split)]);
        const b = Buffer.concat([Buffer.alloc(lead), masked.subarray(split)]);
        const phase = unmask(a, lead, a.length, mask, 0);
        assert.equal(unmask(b, lead, b.length, mask, phase), plain.length & 3);
        assert.ok(Buffer.concat([a.subarray(lead), b.subarray(lead)]).equals(plain), `lead ${lead} split ${split}`);
      }
    }
  });
  test('unmasks a frame ws masked', () => {
    const payload = Buffer.from('the same bytes come back'.repeat(40));
    const f = frames(Buffer.from(payload), { mask: true }); // (ws masks its input in place)
    const h = parseHeader(f)!;
    assert.equal(h.fin, true);
    assert.equal(h.masked, true);
    unmask(f, h.headerLength, f.length, f.subarray(h.headerLength - 4, h.headerLength), 0);
    assert.ok(f.subarray(h.headerLength).equals(payload));
  });
});

describe('encodeFrame / decodeFrames', () => {
  test('an unmasked frame is byte for byte what ws would send, at every length encoding', () => {
    for (const n of [0, 1, 125, 126, 127, 65535, 65536, 70000]) {
      const payload = Buffer.from(Array.from({ length: n }, (_, i) => (i * 7) & 0xff));
      assert.ok(encodeFrame(OP.BINARY, payload).equals(frames(Buffer.from(payload), { mask: false })), `length ${n}`);
      assert.ok(frameHeader(OP.BINARY, n).equals(frames(Buffer.from(payload), { mask: false }).subarray(0, n < 126 ? 2 : n < 65536 ? 4 : 10)), `header ${n}`);
    }
  });

  test('a masked frame carries a key and decodes back to its payload, as ws decodes it', () => {
    for (const text of ['', 'hi', 'x'.repeat(300)]) {
      const f = encodeFrame(OP.TEXT, text, { mask: true });
      const h = parseHeader(f)!;
      assert.equal(h.masked, true);
      assert.equal(h.opcode, OP.TEXT);
      const { frames: got, rest } = decodeFrames(Buffer.from(f));
      assert.equal(rest.length, 0);
      assert.equal(got[0].payload.toString(), text);
    }
  });

  test('decodeFrames returns whole frames and keeps a partial one for the next read', () => {
    const a = encodeFrame(OP.TEXT, 'first');
    const b = closeFrame(4404, 'Not found.');
    const both = Buffer.concat([a, b]);
    for (let split = 0; split <= both.length; split++) {
      const first = decodeFrames(both.subarray(0, split));
      const second = decodeFrames(Buffer.concat([first.rest, both.subarray(split)]));
      const all = [...first.frames, ...second.frames];
      assert.equal(all.length, 2, `split ${split}`);
      assert.deepEqual(decodeClose(all[1].payload), { code: 4404, reason: 'Not found.' });
    }
  });

  test('a close frame without a code reads as 1005', () => {
    assert.deepEqual(decodeClose(Buffer.alloc(0)), { code: 1005, reason: '' });
  });
});

describe('close reasons', () => {
  test('a close reason is cut to 123 bytes on a character boundary', () => {
    const long = 'é'.repeat(100);
    const cut = closeReason(long);
    assert.ok(Buffer.byteLength(cut) <= 123);
    assert.equal(cut, 'é'.repeat(61));
    assert.equal(closeReason('short'), 'short');
    assert.equal(closeReason('€'.repeat(50)), '€'.repeat(41));
  });

  test('a close frame with a long multi-byte reason stays a valid control frame with valid UTF-8', () => {
    for (const mask of [false, true]) {
      const f = closeFrame(4429, 'Trop de connexions ouvertes — réessayez plus tard. '.repeat(5), { mask });
      const h = parseHeader(f)!;
      assert.ok(h.payloadLength <= 125);
      const { frames: got } = decodeFrames(Buffer.from(f));
      const { code, reason } = decodeClose(got[0].payload);
      assert.equal(code, 4429);
      assert.ok(!reason.includes('\uFFFD'), 'no broken character at the cut');
      assert.ok(Buffer.from(reason).equals(got[0].payload.subarray(2)));
    }
  });
});

describe('handshake', () => {
  test('the accept key is the one in RFC 6455 1.3', () => {
    assert.equal(acceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  test('client keys: ours are valid, malformed ones are not', () => {
    assert.ok(isClientKey(newClientKey()));
    assert.ok(!isClientKey(undefined));
    assert.ok(!isClientKey('short=='));
    assert.ok(!isClientKey('dGhlIHNhbXBsZSBub25jZQ'));
  });

  test('a subprotocol is chosen whenever one was offered: the preferred one, else the first', () => {
    assert.equal(chooseSubprotocol('base64, binary', ['binary']), 'binary');
    assert.equal(chooseSubprotocol('portico.v1,other'), 'portico.v1');
    assert.equal(chooseSubprotocol(new Set(['a', 'b']), ['b']), 'b');
    assert.equal(chooseSubprotocol(' , '), undefined);
    assert.equal(chooseSubprotocol(undefined, ['binary']), undefined);
  });
});
