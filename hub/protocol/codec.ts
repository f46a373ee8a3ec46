// The two subprotocols: MessagePack in binary frames, JSON in text frames. A frame is decoded
// once; an event is encoded once per codec and the same bytes go to every subscriber.
import { isUtf8 } from 'node:buffer';
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

/** A frame the codec refuses; the message (and the path, when known) go to the client with `invalid`. */
export class FrameError extends Error {
  constructor(message: string, readonly path: (string | number)[] = []) {
    super(message);
  }
}

/**
 * An open array or map: values still to read (`left`; a map entry counts twice), how many it
 * had, and where its last key's bytes are (decoded only to name a field in a refusal).
 */
const level = (left: number, map: boolean) => ({ left, map, count: left, keyAt: 0, keyLength: 0 });
type Level = ReturnType<typeof level>;

/**
 * Are the `length` bytes at `at` ASCII (so UTF-8)? For a short string (a key, an id, a type),
 * looked at byte by byte: that spares the view isUtf8 needs, one per string of every frame.
 * A longer one is left to isUtf8, which is faster on it.
 */
function isAscii(b: Uint8Array, at: number, length: number): boolean {
  if (length > 64) return false;
  for (let i = at; i < at + length; i++) if (b[i]! >= 0x80) return false;
  return true;
}

const EXTENSIONS = 'MessagePack extension types (records, Set, Map, RegExp, Error, typed arrays, Date, BigInt, custom) are not part of the protocol';
const keyDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The MessagePack the hub reads is JSON's model (docs/PROTOCOL.md §1): nil, booleans, numbers,
 * UTF-8 strings, binary, arrays and maps with string keys. msgpackr has no option to refuse its
 * extensions (records, Set, Map, RegExp, Error, typed arrays, Date, BigInt, custom types), so
 * the bytes are walked once before decoding and anything else is refused. Never throws on
 * short input: a truncated frame is reported as such.
 */
export function msgpackProblem(b: Uint8Array): FrameError | undefined {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let pos = 0;
  // The open arrays and maps, the frame itself first. An even count left in a map means the
  // next value is a key.
  const pending: Level[] = [level(1, false)];
  const need = (n: number) => pos + n <= b.length;
  // Where the value being read sits, to name the field of a string that is not UTF-8.
  const keyOf = (l: Level) => keyDecoder.decode(b.subarray(l.keyAt, l.keyAt + l.keyLength));
  const path = () => pending.slice(1).map((l) => (l.map ? keyOf(l) : l.count - l.left - 1));
  const refuse = (why: string) => new FrameError(why);
  while (pending.length > 0) {
    const top = pending[pending.length - 1]!;
    if (top.left === 0) {
      pending.pop();
      continue;
    }
    const isKey = top.map && top.left % 2 === 0;
    top.left--;
    if (!need(1)) return refuse('the frame ends early');
    const t = b[pos++]!;
    let strLen = -1;
    let skip = 0;
    let open: Level | undefined;
    if (t <= 0x7f || t >= 0xe0) skip = 0; // fixint
    else if (t >= 0x80 && t <= 0x8f) open = level((t & 0x0f) * 2, true);
    else if (t >= 0x90 && t <= 0x9f) open = level(t & 0x0f, false);
    else if (t >= 0xa0 && t <= 0xbf) strLen = t & 0x1f;
    else {
      switch (t) {
        case 0xc0: case 0xc2: case 0xc3: break; // nil, false, true
        case 0xc4: if (!need(1)) return refuse('the frame ends early'); skip = 1 + b[pos]!; break; // bin 8
        case 0xc5: if (!need(2)) return refuse('the frame ends early'); skip = 2 + view.getUint16(pos); break;
        case 0xc6: if (!need(4)) return refuse('the frame ends early'); skip = 4 + view.getUint32(pos); break;
        case 0xca: skip = 4; break; // float 32
        case 0xcb: skip = 8; break; // float 64
        case 0xcc: case 0xd0: skip = 1; break;
        case 0xcd: case 0xd1: skip = 2; break;
        case 0xce: case 0xd2: skip = 4; break;
        case 0xcf: case 0xd3: skip = 8; break;
        case 0xd9: if (!need(1)) return refuse('the frame ends early'); strLen = b[pos]!; pos += 1; break;
        case 0xda: if (!need(2)) return refuse('the frame ends early'); strLen = view.getUint16(pos); pos += 2; break;
        case 0xdb: if (!need(4)) return refuse('the frame ends early'); strLen = view.getUint32(pos); pos += 4; break;
        case 0xdc: if (!need(2)) return refuse('the frame ends early'); open = level(view.getUint16(pos), false); pos += 2; break;
        case 0xdd: if (!need(4)) return refuse('the frame ends early'); open = level(view.getUint32(pos), false); pos += 4; break;
        case 0xde: if (!need(2)) return refuse('the frame ends early'); open = level(view.getUint16(pos) * 2, true); pos += 2; break;
        case 0xdf: if (!need(4)) return refuse('the frame ends early'); open = level(view.getUint32(pos) * 2, true); pos += 4; break;
        // fixext 1 of type 0 is how msgpackr writes `undefined` (a field left out, as in JSON).
        case 0xd4: if (!need(2)) return refuse('the frame ends early'); if (b[pos] !== 0) return refuse(EXTENSIONS); skip = 2; break;
        case 0xc1: return refuse('not MessagePack (0xc1 is never used)');
        default: return refuse(EXTENSIONS);
      }
    }
    if (isKey && strLen < 0) return refuse('map keys must be strings');
    if (strLen >= 0) {
      if (!need(strLen)) return refuse('the frame ends early');
      if (!isAscii(b, pos, strLen) && !isUtf8(b.subarray(pos, pos + strLen))) {
        // A lone surrogate written as UTF-8 (CESU) lands here too: PostgreSQL cannot store it.
        return new FrameError(`${isKey ? 'a key' : path().join('.') || 'the value'} is not valid UTF-8 (a lone surrogate?), which PostgreSQL cannot store`, isKey ? path().slice(0, -1) : path());
      }
      if (isKey) (top.keyAt = pos), (top.keyLength = strLen);
      skip = strLen;
    }
    if (!need(skip)) return refuse('the frame ends early');
    pos += skip;
    if (open) {
      if (open.left > b.length - pos) return refuse('the frame ends early'); // each value takes a byte at least
      pending.push(open);
    }
  }
  return pos === b.length ? undefined : refuse('more than one value in the frame');
}

export const msgpack: Codec = {
  name: 'msgpack',
  binary: true,
  encode: (frame) => packr.pack(frame),
  decode: (bytes) => {
    const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    const problem = msgpackProblem(b);
    if (problem) throw problem;
    return packr.unpack(b);
  },
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
