// A Socket.IO 4 service to put behind Portico (see README.md): it greets each client with who Portico says
// it is (the X-Portico-User header of the declared route's `identity: headers`), and echoes.
const http = require('node:http');
const { Server } = require('socket.io');

const server = http.createServer((req, res) => {
  if (req.url === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  res.writeHead(404).end();
});
const io = new Server(server, { path: '/socket.io/' });

io.on('connection', (socket) => {
  const user = socket.handshake.headers['x-portico-user'] ?? null;
  socket.emit('hello', { user, transport: socket.conn.transport.name });
  socket.on('echo', (message, ack) => (typeof ack === 'function' ? ack(message) : socket.emit('echo', message)));
});

server.listen(Number(process.env.PORT ?? 4300), process.env.HOST ?? '127.0.0.1', () => {
  console.log(`socket.io example listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => io.close(() => process.exit(0)));
