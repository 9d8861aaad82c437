import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorForClientError } from './client-error';

test('an unparseable request is answered with the status that says why; a reset one is not answered', () => {
  assert.equal(errorForClientError('HPE_INVALID_METHOD'), 'bad_request');
  assert.equal(errorForClientError('HPE_HEADER_OVERFLOW'), 'headers_too_large');
  assert.equal(errorForClientError('ERR_HTTP_REQUEST_TIMEOUT'), 'request_timeout');
  assert.equal(errorForClientError('ECONNRESET'), null);
});
