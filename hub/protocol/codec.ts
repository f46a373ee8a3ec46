// The two subprotocols: MessagePack in binary frames, JSON in text frames. A frame is decoded
// once; an event is encoded once per codec and the same bytes go to every subscriber.
import { Packr } from 'msgpackr';

export const SUBPROTOCOLS = ['schoolhub.v1.msgpack', 'schoolhub.v1.json'] as const;
export type Subprotocol = (typeof SUBPROTOCOLS)[number];
export type CodecName = 'msgpack' | 'json';

// Plain maps both ways; no records extension, so any MessagePack client can read the frames.
const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false, int64AsType: 'number' });
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export interface Codec {
  name: CodecName;
  binary: boolean;
  encode(frame: unknown): Uint8Array;
  /** Throws on bytes that are not one well-formed frame. */
  decode(bytes: ArrayBuffer | Uint8Array): unknown;
}

export const msgpack: Codec = {
  name: 'msgpack',
  binary: true,
  encode: (frame) => packr.pack(frame),
  decode: (bytes) => packr.unpack(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)),
};

export const json: Codec = {
  name: 'json',
  binary: false,
  encode: (frame) => encoder.encode(JSON.stringify(frame)),
  decode: (bytes) => JSON.parse(decoder.decode(bytes)),
};

export const CODECS: Record<CodecName, Codec> = { msgpack, json };

export function codecFor(protocol: string): Codec | undefined {
  if (protocol === 'schoolhub.v1.msgpack') return msgpack;
  if (protocol === 'schoolhub.v1.json') return json;
  return undefined;
}

/** Picks the first offered subprotocol the hub speaks (Sec-WebSocket-Protocol header). */
export function chooseSubprotocol(header: string): Subprotocol | undefined {
  for (const p of header.split(',').map((s) => s.trim())) {
    if ((SUBPROTOCOLS as readonly string[]).includes(p)) return p as Subprotocol;
  }
  return undefined;
}
