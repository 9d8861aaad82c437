import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as wsModule from 'ws';

// ws ships its frame encoder but @types/ws does not declare it.
const { Sender } = wsModule as unknown as { Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] } };
import { FrameTracker, closeFrame } from './ws-frames';

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
  test('closeFrame builds a frame the tracker reads back', () => {
    const t = new FrameTracker();
    t.consume(closeFrame(1001, 'going away'));
    assert.equal(t.closeCode, 1001);
    assert.ok(t.atBoundary);
  });
});
