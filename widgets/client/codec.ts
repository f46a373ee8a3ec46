// The msgpack subprotocol: plain MessagePack maps both ways (no records extension, no
// extension types), exactly what the hub's codec writes and reads.
import { Packr } from 'msgpackr';

export const SUBPROTOCOL = 'schoolhub.v1.msgpack';

const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false, int64AsType: 'number' });

export function encode(frame: object): Uint8Array<ArrayBuffer> {
  // pack() never hands out a SharedArrayBuffer; the DOM's send() typing asks to be told.
  return packr.pack(frame) as Uint8Array<ArrayBuffer>;
}

export function decode(data: ArrayBuffer | Uint8Array): unknown {
  return packr.unpack(data instanceof Uint8Array ? data : new Uint8Array(data));
}
