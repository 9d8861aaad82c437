import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLOSE, CLOSE_CODES } from './close-codes';
import { STATUS_CLOSE_PAIRS, closeCodeForStatus, statusForCloseCode } from './status-map';

describe('HTTP status ↔ close code', () => {
  test('each status the gateway or the browser meets has its code, and back', () => {
    const expected: [number, number][] = [
      [400, 4400],
      [401, 4401],
      [403, 4403],
      [404, 4404],
      [409, 4409],
      [429, 4429],
      [500, 1011],
      [502, 1014],
      [503, 1013],
    ];
    for (const [status, code] of expected) {
      assert.equal(closeCodeForStatus(status), code, `status ${status}`);
      assert.equal(statusForCloseCode(code), status, `code ${code}`);
    }
  });

  test('the map is one-to-one and uses only documented close codes', () => {
    const statuses = STATUS_CLOSE_PAIRS.map(([s]) => s);
    const codes = STATUS_CLOSE_PAIRS.map(([, c]) => c);
    assert.equal(new Set(statuses).size, statuses.length);
    assert.equal(new Set(codes).size, codes.length);
    for (const c of codes) assert.ok(CLOSE_CODES.some((info) => info.code === c), `${c} is not in the close-code table`);
    for (const [s, c] of STATUS_CLOSE_PAIRS) assert.equal(closeCodeForStatus(statusForCloseCode(c)!), c, `${s}`);
  });

  test('a 4xxx code mirrors its status', () => {
    for (const [status, code] of STATUS_CLOSE_PAIRS) if (code >= 4000) assert.equal(code, 4000 + status);
  });

  test('statuses and codes outside the table are left to the caller', () => {
    assert.equal(closeCodeForStatus(418), null);
    assert.equal(closeCodeForStatus(200), null);
    assert.equal(statusForCloseCode(CLOSE.NORMAL), null);
    assert.equal(statusForCloseCode(CLOSE.GOING_AWAY), null);
    assert.equal(statusForCloseCode(CLOSE.ABNORMAL), null);
  });
});
