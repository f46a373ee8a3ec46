// The load generator's WebSocket client (lib/lean-socket.ts) against a real uWebSockets.js
// server, and against a raw TCP server that cuts frames at every byte: what it reads is what was
// sent, whatever the reads' boundaries, and what it sends a server reads back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { createHash } from 'node:crypto';
import { listen, uws, type TemplatedApp, type us_listen_socket } from '../hub/uws.ts';
import { LeanSocket } from './lib/lean-socket.ts';
import { until } from './lib/control.ts';

/** Polls until `ok`, or fails the test after `ms`. */
const waitFor = async (ok: () => boolean, ms = 5_000) => {
  if (!(await until(ok, ms, 5))) throw new Error('timed out');
};

describe('LeanSocket against uWebSockets.js', () => {
  let app: TemplatedApp;
  let listening: us_listen_socket;
  let url: string;
  beforeAll(async () => {
    app = uws.App();
    app.ws('/echo', {
      maxPayloadLength: 4 * 1024 * 1024,
      upgrade: (res, req, context) => {
        res.upgrade({}, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol').split(',')[0]?.trim() ?? '', req.getHeader('sec-websocket-extensions'), context);
      },
      // Echoes binary as binary and, for a message starting with "text:", answers in a text frame.
      message: (ws, message) => {
        const copy = Buffer.from(message);
        if (copy.subarray(0, 5).toString() === 'text:') ws.send(copy.toString(), false);
        else if (copy.toString() === 'close') ws.end(4003, 'bye');
        else ws.send(copy, true);
      },
    });
    const l = await listen(app, '127.0.0.1', 0);
    listening = l.socket;
    url = `ws://127.0.0.1:${l.port}/echo`;
  });
  afterAll(() => uws.us_listen_socket_close(listening));

  it('echoes payloads of every length encoding, masked correctly, in order', async () => {
    const s = await LeanSocket.open(url, 'schoolhub.v1.msgpack', '127.0.0.1');
    const got: Buffer[] = [];
    s.onMessage = (d) => got.push(Buffer.from(d));
    const sizes = [0, 1, 125, 126, 1_000, 65_535, 65_536, 300_000];
    const sent = sizes.map((n) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff)));
    for (const b of sent) s.send(b);
    await waitFor(() => got.length === sent.length);
    expect(got.map((b) => b.length)).toEqual(sizes);
    got.forEach((b, i) => expect(b.equals(sent[i]!)).toBe(true));
    s.terminate();
  });

  it('hands over text frames and reports the close code the server sent', async () => {
    const s = await LeanSocket.open(url, undefined, '127.0.0.1');
    const got: string[] = [];
    let code: number | undefined;
    s.onMessage = (d) => got.push(d.toString());
    s.onClose = (c) => (code = c);
    s.send(Buffer.from('text:hej'));
    s.send(Buffer.from('close'));
    await waitFor(() => code !== undefined);
    expect(got).toEqual(['text:hej']);
    expect(code).toBe(4003);
  });

  it('rejects a refused upgrade', async () => {
    await expect(LeanSocket.open(url.replace('/echo', '/nowhere'), undefined, '127.0.0.1')).rejects.toThrow(/upgrade refused|closed before/);
  });
});

describe('LeanSocket against a server that sends a byte at a time', () => {
  let server: Server;
  let port: number;
  /** What the server does after the upgrade, per test. */
  let script: (sock: Socket, trickle: (b: Buffer) => Promise<void>, received: Buffer[]) => Promise<void>;
  let accept = (key: string) => createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');

  beforeAll(async () => {
    server = createServer((sock) => {
      sock.setNoDelay(true);
      let head = Buffer.alloc(0);
      const received: Buffer[] = [];
      let upgraded = false;
      sock.on('data', (d: Buffer) => {
        if (upgraded) return void received.push(d);
        head = Buffer.concat([head, d]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        upgraded = true;
        const key = /sec-websocket-key: (.*)\r\n/i.exec(head.toString())?.[1] ?? '';
        // Each byte in a write of its own, a tick apart: the client's reads end anywhere.
        const trickle = async (b: Buffer) => {
          for (const byte of b) {
            sock.write(Buffer.from([byte]));
            await new Promise((r) => setTimeout(r, 1));
          }
        };
        void trickle(Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(key)}\r\n\r\n`)).then(() => script(sock, trickle, received));
      });
      sock.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const frame = (fin: boolean, opcode: number, payload: Buffer) => {
    const len = payload.length;
    const head = len < 126 ? Buffer.from([(fin ? 0x80 : 0) | opcode, len]) : Buffer.from([(fin ? 0x80 : 0) | opcode, 126, len >> 8, len & 0xff]);
    return Buffer.concat([head, payload]);
  };

  it('reassembles frames and fragmented messages cut at every byte, and answers a ping with its pong', async () => {
    let pong: Buffer | undefined;
    script = async (_sock, trickle, received) => {
      await trickle(Buffer.concat([
        frame(true, 0x2, Buffer.from('ett')),
        frame(true, 0x9, Buffer.from('pi')),
        frame(false, 0x2, Buffer.from('tv')),
        frame(true, 0x0, Buffer.from('å')),
        frame(true, 0x2, Buffer.alloc(300, 7)),
      ]));
      await waitFor(() => Buffer.concat(received).length >= 2 + 4 + 2);
      // The client's pong: final, opcode 0xA, masked, its payload the ping's.
      const b = Buffer.concat(received);
      const mask = b.subarray(2, 6);
      pong = Buffer.concat([b.subarray(0, 2), Buffer.from(b.subarray(6, 8).map((x, i) => x ^ mask[i]!))]);
    };
    const s = await LeanSocket.open(`ws://127.0.0.1:${port}/`, undefined, '127.0.0.1');
    const got: Buffer[] = [];
    s.onMessage = (d) => got.push(Buffer.from(d));
    await waitFor(() => got.length === 3 && pong !== undefined, 10_000);
    expect(got[0]!.toString()).toBe('ett');
    expect(got[1]!.toString()).toBe('två');
    expect(got[2]!.equals(Buffer.alloc(300, 7))).toBe(true);
    expect([...pong!]).toEqual([0x8a, 0x82, ...Buffer.from('pi')]);
    s.terminate();
  });

  it('rejects an answer with the wrong accept key', async () => {
    const right = accept;
    accept = () => 'wrong';
    try {
      await expect(LeanSocket.open(`ws://127.0.0.1:${port}/`, undefined, '127.0.0.1')).rejects.toThrow(/Sec-WebSocket-Accept/);
    } finally {
      accept = right;
    }
  });
});
