import type { HelloMessage } from '../../lib/protocol/build';
import { buildWatcher } from './build-client';
import { closed, opened, type TestGateway } from './gateway';

/** Runs one build to its end over the real socket and returns its id (its output: lib/build/build-output.ts). */
export async function runBuild(gw: TestGateway, token: string, projectId: string, prompt: string): Promise<string> {
  const ws = gw.open(`/api/build/${projectId}?token=${token}`);
  const w = buildWatcher(ws);
  await opened(ws);
  await w.until(() => w.messages.length > 0);
  // The socket first replays the project's latest build; this build is the one that starts after it.
  const hello = w.messages[0] as HelloMessage;
  const ours = () => w.events().find((e) => e.type === 'done' && e.buildId !== hello.build?.id);
  ws.send(JSON.stringify({ type: 'start', prompt }));
  await w.until(() => Boolean(ours()), 30_000);
  const buildId = ours()!.buildId;
  ws.close();
  await closed(ws);
  return buildId;
}

/**
 * A gateway on the offline provider with an owner, another user, and one project of the owner's with two
 * finished builds (`first`, then `second`): what the suites about past builds start from.
 */
export async function gatewayWithTwoBuilds(name: string) {
  const { startGateway } = await import('./gateway');
  const gw = await startGateway({ LLM_PROVIDER: 'offline', OFFLINE_STREAM_DELAY_MS: '0' });
  const owner = await gw.createUser(`${name}-owner`);
  const other = await gw.createUser(`${name}-other`);
  const projectId = (await gw.createProject(owner.token, name)).id;
  const first = await runBuild(gw, owner.token, projectId, 'A stopwatch with laps');
  const second = await runBuild(gw, owner.token, projectId, 'A stopwatch with splits');
  return { gw, owner, other, projectId, first, second };
}
