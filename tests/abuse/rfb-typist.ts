import type { WebSocket } from 'ws';

// Just enough of RFB (RFC 6143) to type into a VM's xterm through the gateway: version, security type
// None, ClientInit, then KeyEvents. No framebuffer is ever requested; the server's messages are ignored.

const RETURN = 0xff0d;

/** Runs the RFB handshake on an open viewer socket and resolves once the desktop accepts key events. */
export function rfbSession(ws: WebSocket): Promise<{ type(line: string): void }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    let stage: 'version' | 'security' | 'result' | 'init' | 'ready' = 'version';
    const onMessage = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (stage === 'version' && buf.length >= 12) {
        buf = buf.subarray(12);
        ws.send(Buffer.from('RFB 003.008\n', 'latin1'));
        stage = 'security';
      }
      if (stage === 'security' && buf.length >= 1 && buf.length >= 1 + buf[0]) {
        const types = [...buf.subarray(1, 1 + buf[0])];
        buf = buf.subarray(1 + buf[0]);
        if (!types.includes(1)) return reject(new Error(`no security type None offered: ${types}`));
        ws.send(Buffer.from([1]));
        stage = 'result';
      }
      if (stage === 'result' && buf.length >= 4) {
        if (buf.readUInt32BE(0) !== 0) return reject(new Error('security handshake failed'));
        buf = buf.subarray(4);
        ws.send(Buffer.from([1])); // ClientInit: shared
        stage = 'init';
      }
      if (stage === 'init' && buf.length >= 24 && buf.length >= 24 + buf.readUInt32BE(20)) {
        stage = 'ready';
        ws.off('message', onMessage);
        resolve({
          type(line: string) {
            const keys = [...line].map((c) => c.codePointAt(0)!).concat(RETURN);
            // No window manager: the window under the pointer gets the keys, and the xterm sits at +0+0.
            ws.send(pointerAt(200, 200));
            ws.send(Buffer.concat(keys.flatMap((k) => [keyEvent(k, true), keyEvent(k, false)])));
          },
        });
      }
    };
    ws.on('message', onMessage);
  });
}

function keyEvent(keysym: number, down: boolean): Buffer {
  const b = Buffer.alloc(8);
  b[0] = 4;
  b[1] = down ? 1 : 0;
  b.writeUInt32BE(keysym, 4);
  return b;
}

function pointerAt(x: number, y: number): Buffer {
  const b = Buffer.alloc(6);
  b[0] = 5;
  b.writeUInt16BE(x, 2);
  b.writeUInt16BE(y, 4);
  return b;
}
