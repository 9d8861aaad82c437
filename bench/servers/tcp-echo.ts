import net from 'node:net';
import { announceReady } from './ready';

// The "VM" of the VM path: a plain TCP echo server, what a VNC server is to the bridge and to websockify.
// Like a VNC server it speaks first (the bridge answers a client only once the VM has greeted).

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
  socket.write('RFB 003.008\n');
  socket.pipe(socket);
});
server.listen(0, '127.0.0.1', () => announceReady((server.address() as net.AddressInfo).port));
