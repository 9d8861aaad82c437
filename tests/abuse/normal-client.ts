import { WebSocket } from 'ws';

// A signed-in user going about their business while the server is attacked, in a process of its own so
// that the attacker's work in the test process never shows up as this user's latency: a hub subscribe round
// trip every 20 ms until its stdin closes, then every round trip's time in ms as one JSON line on stdout.
// Usage: node --import tsx tests/abuse/normal-client.ts <ws-url-of-/api/events-with-credential>

const ws = new WebSocket(process.argv[2]);
const latencies: number[] = [];
let sentAt = 0;
let running = true;
let timer: NodeJS.Timeout | undefined;

const ask = () => {
  if (!running) return;
  sentAt = performance.now();
  ws.send(JSON.stringify({ type: 'subscribe', topic: 'sessions' }));
};

ws.on('open', () => {
  process.stdout.write('ready\n');
  ask();
});
ws.on('message', (data) => {
  const m = JSON.parse(String(data)) as { type?: string };
  if (m.type !== 'subscribed') return;
  latencies.push(performance.now() - sentAt);
  timer = setTimeout(ask, 20);
});
ws.on('error', (err) => {
  process.stderr.write(`normal client: ${err.message}\n`);
  process.exit(1);
});
ws.on('close', (code) => {
  if (running) {
    process.stderr.write(`normal client: the server closed its socket with ${code}\n`);
    process.exit(1);
  }
});

process.stdin.resume();
process.stdin.on('end', () => {
  running = false;
  clearTimeout(timer);
  process.stdout.write(`${JSON.stringify(latencies)}\n`);
  ws.close();
  process.exit(0);
});
