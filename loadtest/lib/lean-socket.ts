// The load generator's WebSocket client: RFC 6455 over a plain TCP socket, reading into one
// buffer shared by every socket (net's `onread`), so that a read allocates nothing and no
// stream machinery runs per frame. Ten thousand readers taking 50,000 frames a second through
// `ws` cost the load generator most of its core and a dozen full GCs in 20 s, and every
// delivery waited for that (loadtest/RESULTS.md, "A lighter load generator"). The server side
// is unchanged; this is the measuring instrument.
//
// What it does not do, as the hub and the reference never ask for it: extensions
// (permessage-deflate is not offered), redirects, TLS. A message handed to `onMessage` is a
// view into the shared buffer, valid only during the call: copy what you keep.
import { connect, type Socket } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Room for one read of every socket: they take turns, each read is handled before the next. */
const shared = Buffer.allocUnsafe(256 * 1024);

/** The largest message accepted: far above any frame of the hub (a history page is a few hundred KB). */
const MAX_MESSAGE = 64 * 1024 * 1024;

export class LeanSocket {
  /** Each whole message, binary or text, as a view valid during the call. */
  onMessage: (data: Buffer) => void = () => {};
  /** Once: the close code the server sent, or 1006 when the connection ended without one. */
  onClose: (code: number) => void = () => {};

  private open = false;
  private closed = false;
  private closeCode = 1006;
  /** Bytes of a frame (or of the upgrade answer) that a read cut short, copied out of the shared buffer. */
  private partial: Buffer | undefined;
  /** Fragments of a message sent in several frames. */
  private fragments: Buffer[] | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly accept: string,
    private readonly protocol: string | undefined,
    private readonly opened: { resolve: () => void; reject: (e: Error) => void },
  ) {}

  /** Connects, upgrades, and resolves once the server accepted (101, the right accept key and protocol). */
  static open(url: string, protocol: string | undefined, localAddress: string, timeoutMs = 30_000): Promise<LeanSocket> {
    const u = new URL(url);
    if (u.protocol !== 'ws:') throw new Error(`LeanSocket speaks ws: only, not ${u.protocol}`);
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1').update(key + GUID).digest('base64');
    return new Promise<LeanSocket>((resolve, reject) => {
      let lean: LeanSocket | undefined;
      const socket = connect({
        host: u.hostname, port: Number(u.port || 80), localAddress, noDelay: true,
        onread: { buffer: shared, callback: (n: number) => (lean?.read(n), true) },
      });
      const timer = setTimeout(() => lean?.fail(new Error(`upgrade timed out after ${timeoutMs} ms`)), timeoutMs);
      lean = new LeanSocket(socket, accept, protocol, {
        resolve: () => (clearTimeout(timer), resolve(lean!)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      socket.once('connect', () => {
        socket.write(
          `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
            (protocol === undefined ? '' : `Sec-WebSocket-Protocol: ${protocol}\r\n`) +
            '\r\n',
        );
      });
      socket.on('error', (e) => lean?.fail(e));
      socket.on('close', () => lean?.ended());
    });
  }

  /** Sends one binary message, masked as a client must. */
  send(data: Uint8Array): void {
    if (this.closed) return;
    this.socket.write(frame(0x2, data));
  }

  /** Ends the connection at once, without a closing handshake (like ws's terminate()). */
  terminate(): void {
    this.socket.destroy();
  }

  private fail(e: Error): void {
    if (!this.open) this.opened.reject(e);
    this.socket.destroy();
  }

  private ended(): void {
    if (!this.open) this.opened.reject(new Error('connection closed before the upgrade'));
    if (this.closed) return;
    this.closed = true;
    this.onClose(this.closeCode);
  }

  /** `n` new bytes at the start of the shared buffer. */
  private read(n: number): void {
    let data = shared.subarray(0, n);
    if (this.partial) {
      data = Buffer.concat([this.partial, data]);
      this.partial = undefined;
    }
    let at = this.open ? 0 : this.upgrade(data);
    if (at < 0) return;
    while (at < data.length && !this.socket.destroyed) {
      const used = this.frameAt(data, at);
      if (used === 0) break;
      at += used;
    }
    // What is left is the start of a frame: kept (copied) for the next read.
    if (at < data.length && !this.socket.destroyed) this.partial = Buffer.from(data.subarray(at));
  }

  /** Checks the server's answer; the offset of the first frame byte, or -1 while the answer is incomplete or refused. */
  private upgrade(data: Buffer): number {
    const end = data.indexOf('\r\n\r\n');
    if (end < 0) {
      if (data.length > 16_384) this.fail(new Error('upgrade answer too long'));
      else this.partial = Buffer.from(data);
      return -1;
    }
    const [status = '', ...lines] = data.toString('latin1', 0, end).split('\r\n');
    const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const code = Number(status.split(' ')[1]);
    if (code !== 101) this.fail(new Error(`upgrade refused: ${code}`));
    else if (headers.get('sec-websocket-accept') !== this.accept) this.fail(new Error('upgrade answer has the wrong Sec-WebSocket-Accept'));
    else if (this.protocol !== undefined && headers.get('sec-websocket-protocol') !== this.protocol) this.fail(new Error(`server did not accept protocol ${this.protocol}`));
    else {
      this.open = true;
      this.opened.resolve();
      return end + 4;
    }
    return -1;
  }

  /** Handles the frame at `at`; the bytes it took, or 0 when it is not all here yet. */
  private frameAt(data: Buffer, at: number): number {
    if (data.length - at < 2) return 0;
    const b0 = data[at]!;
    const b1 = data[at + 1]!;
    if ((b0 & 0x70) !== 0 || (b1 & 0x80) !== 0) return this.protocolError('reserved bits or a masked frame from the server');
    let len = b1 & 0x7f;
    let head = 2;
    if (len === 126) {
      if (data.length - at < 4) return 0;
      len = data.readUInt16BE(at + 2);
      head = 4;
    } else if (len === 127) {
      if (data.length - at < 10) return 0;
      const big = data.readBigUInt64BE(at + 2);
      if (big > BigInt(MAX_MESSAGE)) return this.protocolError('frame too large');
      len = Number(big);
      head = 10;
    }
    if (data.length - at < head + len) return 0;
    const payload = data.subarray(at + head, at + head + len);
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    switch (opcode) {
      case 0x1:
      case 0x2:
        if (this.fragments) return this.protocolError('a new message inside a fragmented one');
        if (fin) this.onMessage(payload);
        else this.fragments = [Buffer.from(payload)];
        break;
      case 0x0: {
        if (!this.fragments) return this.protocolError('a continuation with no message');
        this.fragments.push(Buffer.from(payload));
        if (fin) {
          const whole = Buffer.concat(this.fragments);
          this.fragments = undefined;
          this.onMessage(whole);
        }
        break;
      }
      case 0x8:
        this.closeCode = len >= 2 ? payload.readUInt16BE(0) : 1005;
        this.socket.end(frame(0x8, len >= 2 ? payload.subarray(0, 2) : new Uint8Array(0)));
        break;
      case 0x9:
        this.socket.write(frame(0xa, payload));
        break;
      case 0xa:
        break;
      default:
        return this.protocolError(`unknown opcode ${opcode}`);
    }
    return head + len;
  }

  private protocolError(why: string): number {
    this.closeCode = 1002;
    this.fail(new Error(`WebSocket protocol error: ${why}`));
    return 0;
  }
}

/** A final client frame: header, a mask, the masked payload. */
function frame(opcode: number, payload: Uint8Array): Buffer {
  const len = payload.length;
  const head = len < 126 ? 2 : len < 65_536 ? 4 : 10;
  const out = Buffer.allocUnsafe(head + 4 + len);
  out[0] = 0x80 | opcode;
  if (head === 2) out[1] = 0x80 | len;
  else if (head === 4) (out[1] = 0x80 | 126), out.writeUInt16BE(len, 2);
  else (out[1] = 0x80 | 127), out.writeBigUInt64BE(BigInt(len), 2);
  // The mask keeps proxies from reading client bytes as requests; any unpredictable value will do here.
  const mask = (Math.random() * 0x1_0000_0000) >>> 0;
  out.writeUInt32BE(mask, head);
  for (let i = 0; i < len; i++) out[head + 4 + i] = payload[i]! ^ out[head + (i & 3)]!;
  return out;
}
