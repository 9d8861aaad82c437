import { WebSocket } from 'ws';
import type { ServerMessage } from '@/lib/protocol/build';

// Builds for specs that need finished ones to look at: started and followed over a real build socket
// (a bearer token in the query, as non-browser clients do), to their `done`.

export async function signInToken(baseUrl: string, who: { username: string; password: string }): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(who) });
  if (res.status !== 200) throw new Error(`sign-in of ${who.username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export async function createProjectAs(baseUrl: string, token: string, name: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/projects`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ name }) });
  if (res.status !== 201) throw new Error(`create project: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** Runs one build to its end and returns its id and how it ended. */
export async function runBuild(baseUrl: string, token: string, projectId: string, prompt: string): Promise<{ id: string; status: string }> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/build/${projectId}?token=${encodeURIComponent(token)}`);
  try {
    const done = await new Promise<{ id: string; status: string }>((resolve, reject) => {
      let ours: string | null = null;
      let hellos = 0;
      const timer = setTimeout(() => reject(new Error('the build did not finish within 60 s')), 60_000);
      ws.once('error', reject);
      ws.once('close', (code) => reject(new Error(`the build socket closed with ${code}`)));
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString()) as ServerMessage;
        if (m.type === 'error') return reject(new Error(m.message));
        if (m.type === 'hello') {
          // The first hello is the project's state; the one after `start` names the new build.
          if (++hellos === 1) ws.send(JSON.stringify({ type: 'start', prompt }));
          else if (m.build) ours = m.build.id;
          return;
        }
        if (m.type === 'done' && m.buildId === ours) {
          clearTimeout(timer);
          resolve({ id: ours, status: m.status });
        }
      });
    });
    return done;
  } finally {
    ws.removeAllListeners('close');
    ws.close();
  }
}
