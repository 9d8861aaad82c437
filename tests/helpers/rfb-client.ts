import type { WebSocket } from 'ws';

// A minimal RFB 3.8 client over a WebSocket (what noVNC does, by hand): the handshake with security type
// None, raw encoding only, and the messages a person's input makes. Enough to drive a real Xvnc from a
// test and to know when the server has read everything sent before (a full framebuffer update answers a
// non-incremental request only after the messages ahead of it on the same connection).

export class RfbTestClient {
  private queue: Buffer = Buffer.alloc(0);
  private wanted: { n: number; resolve(b: Buffer): void; reject(e: Error): void } | null = null;
  width = 0;
  height = 0;
  private bpp = 4;
  private format = { bigEndian: false, redShift: 16, greenShift: 8, blueShift: 0 };
  closedWith: { code: number; reason: string } | null = null;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (d: Buffer) => {
      this.queue = Buffer.concat([this.queue, d]);
      this.serve();
    });
    ws.on('close', (code, reason) => {
      this.closedWith = { code, reason: reason.toString() };
      this.wanted?.reject(new Error(`the socket closed (${code} ${reason}) while ${this.wanted.n} bytes were awaited`));
      this.wanted = null;
    });
  }

  private serve() {
    if (!this.wanted || this.queue.length < this.wanted.n) return;
    const { n, resolve } = this.wanted;
    this.wanted = null;
    const b = this.queue.subarray(0, n);
    this.queue = this.queue.subarray(n);
    resolve(b);
  }

  read(n: number, ms = 10_000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.closedWith) return reject(new Error(`the socket is closed (${this.closedWith.code} ${this.closedWith.reason})`));
      const timer = setTimeout(() => reject(new Error(`only ${this.queue.length} of ${n} bytes within ${ms} ms`)), ms);
      this.wanted = { n, resolve: (b) => (clearTimeout(timer), resolve(b)), reject: (e) => (clearTimeout(timer), reject(e)) };
      this.serve();
    });
  }

  send(b: Buffer) {
    this.ws.send(b);
  }

  /** Version, security None, ClientInit (`shared` as given), ServerInit; then raw encoding only. */
  async handshake(shared: boolean): Promise<void> {
    const version = (await this.read(12)).toString('latin1');
    if (version !== 'RFB 003.008\n') throw new Error(`unexpected version ${JSON.stringify(version)}`);
    this.send(Buffer.from('RFB 003.008\n', 'latin1'));
    const n = (await this.read(1))[0];
    const types = [...(await this.read(n))];
    if (!types.includes(1)) throw new Error(`no security type None: ${types}`);
    this.send(Buffer.from([1]));
    const result = (await this.read(4)).readUInt32BE(0);
    if (result !== 0) throw new Error(`security result ${result}`);
    this.send(Buffer.from([shared ? 1 : 0]));
    const init = await this.read(24);
    this.width = init.readUInt16BE(0);
    this.height = init.readUInt16BE(2);
    this.bpp = init[4] / 8;
    this.format = { bigEndian: init[6] !== 0, redShift: init[14], greenShift: init[15], blueShift: init[16] };
    await this.read(init.readUInt32BE(20));
    const enc = Buffer.alloc(8);
    enc[0] = 2;
    enc.writeUInt16BE(1, 2);
    enc.writeInt32BE(0, 4); // raw
    this.send(enc);
  }

  click(x: number, y: number) {
    for (const mask of [0, 1, 0]) {
      const p = Buffer.alloc(6);
      p[0] = 5;
      p[1] = mask;
      p.writeUInt16BE(x, 2);
      p.writeUInt16BE(y, 4);
      this.send(p);
    }
  }

  /** Types printable ASCII (keysym = code) and presses Return. */
  type(text: string) {
    const keysyms = [...text].map((c) => c.charCodeAt(0)).concat(0xff0d);
    for (const k of keysyms) {
      for (const down of [1, 0]) {
        const e = Buffer.alloc(8);
        e[0] = 4;
        e[1] = down;
        e.writeUInt32BE(k, 4);
        this.send(e);
      }
    }
  }

  /** Round trips until the pixel at (x, y) has the colour (the xterm is up), within `ms`. */
  async waitForColour(x: number, y: number, rgb: number, ms = 15_000): Promise<void> {
    const until = Date.now() + ms;
    let seen: number | null = null;
    while (Date.now() < until) {
      seen = await this.roundTrip({ x, y });
      if (seen === rgb) return;
    }
    throw new Error(`the pixel at ${x},${y} is ${seen?.toString(16)}, not ${rgb.toString(16)}`);
  }

  /**
   * Asks for the whole screen and reads the answer: everything sent before has been read by the server.
   * With `probe`, the colour (0xRRGGBB) of that pixel.
   */
  async roundTrip(probe?: { x: number; y: number }): Promise<number | null> {
    let colour: number | null = null;
    const req = Buffer.alloc(10);
    req[0] = 3;
    req[1] = 0;
    req.writeUInt16BE(this.width, 6);
    req.writeUInt16BE(this.height, 8);
    this.send(req);
    for (;;) {
      const type = (await this.read(1))[0];
      if (type === 0) break;
      if (type === 2) continue; // Bell
      if (type === 3) {
        const h = await this.read(7);
        await this.read(h.readUInt32BE(3));
        continue;
      }
      if (type === 248) {
        const h = await this.read(8);
        await this.read(h[7]);
        continue;
      }
      throw new Error(`unexpected server message ${type}`);
    }
    const head = await this.read(3);
    const rects = head.readUInt16BE(1);
    for (let i = 0; i < rects; i++) {
      const r = await this.read(12);
      const w = r.readUInt16BE(4);
      const h = r.readUInt16BE(6);
      const encoding = r.readInt32BE(8);
      if (encoding === 0) {
        const data = await this.read(w * h * this.bpp, 20_000);
        const rx = probe ? probe.x - r.readUInt16BE(0) : -1;
        const ry = probe ? probe.y - r.readUInt16BE(2) : -1;
        if (rx >= 0 && ry >= 0 && rx < w && ry < h && this.bpp === 4) {
          const v = this.format.bigEndian ? data.readUInt32BE((ry * w + rx) * 4) : data.readUInt32LE((ry * w + rx) * 4);
          colour = (((v >> this.format.redShift) & 0xff) << 16) | (((v >> this.format.greenShift) & 0xff) << 8) | ((v >> this.format.blueShift) & 0xff);
        }
      }
      else if (encoding === -223) continue; // DesktopSize: no data
      else throw new Error(`unexpected encoding ${encoding}`);
    }
    return colour;
  }
}
