import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBackendTokens } from '../auth/backend-tokens';
import { createPreviewTokens } from './preview-tokens';

const SECRET = 'a-test-secret-of-at-least-thirty-two-bytes';

describe('preview tokens', () => {
  it('carry one build (or one workspace), who asked and which dashboard may frame it', async () => {
    const tokens = createPreviewTokens(SECRET);
    const { token, expiresAt } = await tokens.mint({ userId: 'u1', scope: { kind: 'build', projectId: 'p1', buildId: 'b1' }, frameAncestor: 'http://dash:3000' });
    assert.ok(expiresAt > Date.now() + 3590_000 && expiresAt <= Date.now() + 3600_000);
    assert.deepEqual(await tokens.verify(token), { kind: 'build', projectId: 'p1', buildId: 'b1', userId: 'u1', frameAncestor: 'http://dash:3000', expiresAt });
    const ws = await tokens.mint({ userId: 'u1', scope: { kind: 'workspace', projectId: 'p1' }, frameAncestor: null });
    assert.deepEqual(await tokens.verify(ws.token), { kind: 'workspace', projectId: 'p1', userId: 'u1', frameAncestor: null, expiresAt: ws.expiresAt });
  });

  it('refuses tokens of another key, another kind, expired ones and junk', async () => {
    const tokens = createPreviewTokens(SECRET);
    const other = await createPreviewTokens(`${SECRET}-other`).mint({ userId: 'u1', scope: { kind: 'workspace', projectId: 'p1' }, frameAncestor: null });
    assert.equal(await tokens.verify(other.token), null);
    const backend = await createBackendTokens(SECRET).mint({ user: { userId: 'u1', username: 'u', role: 'user' }, projectId: 'p1' });
    assert.equal(await tokens.verify(backend), null);
    const expired = await createPreviewTokens(SECRET, -10).mint({ userId: 'u1', scope: { kind: 'workspace', projectId: 'p1' }, frameAncestor: null });
    assert.equal(await tokens.verify(expired.token), null);
    for (const junk of ['', 'x', 'a.b.c', 'x'.repeat(5000)]) assert.equal(await tokens.verify(junk), null);
  });
});
