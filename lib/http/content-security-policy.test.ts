import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pageCsp, previewCsp } from './content-security-policy';

describe('the pages’ frame-src and the preview origin’s policy', () => {
  it('pages may frame their own origin and the preview origin, nothing else', () => {
    assert.match(pageCsp('n', false, 'http://host:3001'), /frame-src 'self' http:\/\/host:3001;/);
    assert.match(pageCsp('n', false), /frame-src 'self';/);
  });

  it('the preview origin sandboxes without allow-same-origin, connects nowhere, and only the dashboard frames it', () => {
    const csp = previewCsp('http://dash:3000');
    assert.match(csp, /^sandbox allow-scripts allow-forms allow-modals;/);
    assert.doesNotMatch(csp, /allow-same-origin|allow-top-navigation|allow-popups/);
    assert.match(csp, /connect-src 'none'/);
    assert.match(csp, /form-action 'none'/);
    assert.match(csp, /frame-ancestors http:\/\/dash:3000(;|$)/);
    assert.match(previewCsp(null), /frame-ancestors 'none'/);
  });
});
