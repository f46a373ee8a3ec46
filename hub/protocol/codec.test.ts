// The msgpack codec reads exactly what the widget client (widgets/client/codec.ts) writes, and
// refuses what the protocol leaves out (docs/PROTOCOL.md §1). Over a live hub these are in
// hub/e2e/edge-input.test.ts; here the byte-level edges.
import { describe, expect, it } from 'vitest';
import { Packr } from 'msgpackr';
import { msgpack, msgpackProblem } from './codec.ts';
import { encode } from '../../widgets/client/codec.ts';

describe('msgpack codec', () => {
  it('decodes what the widget client encodes, undefined fields included', () => {
    const frames = [
      { type: 'message.send', id: 'r1', conversationId: 'conv_1', body: 'Hej då 😀 ñ', clientKey: 'k', extra: undefined },
      { type: 'history.get', id: 7, conversationId: 'c', beforeSeq: 2 ** 40, limit: 50 },
      { type: 'feed.read', id: 'r2', itemIds: Array.from({ length: 100 }, (_, i) => `post_${i}`) },
      { type: 'post.create', id: 'r3', schoolId: 's', title: 'x'.repeat(300), body: 'y'.repeat(70_000), clientKey: 'k',
        audience: { targets: [{ kind: 'group', groupId: 'g', memberIds: ['a', 'b'] }], recipients: { students: true, guardians: false, staff: false } } },
      { type: 'ping', id: 'r4', n: -1.5, m: -(2 ** 40), z: null, t: true, f: false, nested: [[[]], {}] },
    ];
    for (const f of frames) {
      const bytes = encode(f);
      expect(msgpackProblem(bytes)).toBeUndefined();
      expect(msgpack.decode(bytes)).toEqual(JSON.parse(JSON.stringify(f)));
    }
  });

  it('refuses non-string map keys, truncated frames, trailing bytes and 0xc1', () => {
    const mapPackr = new Packr({ useRecords: false, mapsAsObjects: false });
    expect(msgpackProblem(mapPackr.pack(new Map([[1, 'a']])))?.message).toMatch(/keys must be strings/);
    const ok = encode({ type: 'ping', id: '1' });
    for (let n = 0; n < ok.length; n++) expect(msgpackProblem(ok.subarray(0, n))?.message).toMatch(/ends early/);
    expect(msgpackProblem(Buffer.concat([ok, Buffer.from([0xc0])]))?.message).toMatch(/more than one value/);
    expect(msgpackProblem(Buffer.from([0xc1]))?.message).toMatch(/never used/);
    // An array header claiming more elements than bytes left: refused before any allocation.
    expect(msgpackProblem(Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff]))?.message).toMatch(/ends early/);
  });

  it('names the field of a string that is not UTF-8', () => {
    const bytes = Buffer.from(encode({ type: 'message.send', list: ['ok', 'a\uFFFDb'] }));
    const i = bytes.indexOf(Buffer.from('efbfbd', 'hex'));
    bytes.set([0xed, 0xa0, 0x80], i);
    expect(msgpackProblem(bytes)).toMatchObject({ path: ['list', 1] });
  });

  // Short strings are checked byte by byte, longer ones by isUtf8, and keys are decoded only
  // to name a field: the same answers on both sides of the 64-byte line, at any depth.
  it.each([['short', 'a\uFFFDb'], ['long', `${'å'.repeat(40)}\uFFFD`], ['ASCII then long', `${'x'.repeat(70)}\uFFFD`]])(
    'names the field of a %s string that is not UTF-8, under non-ASCII keys',
    (_, text) => {
      const bytes = Buffer.from(encode({ type: 'x', 'född': { 'ök': [1, { ok: 'fine', bad: text }] } }));
      bytes.set([0xed, 0xa0, 0x80], bytes.indexOf(Buffer.from('efbfbd', 'hex')));
      expect(msgpackProblem(bytes)).toMatchObject({ path: ['född', 'ök', 1, 'bad'] });
    },
  );

  it('refuses a key that is not UTF-8 and names the map it is in', () => {
    for (const key of ['k\uFFFD', `${'k'.repeat(80)}\uFFFD`]) {
      const bytes = Buffer.from(encode({ type: 'x', outer: { fine: 1, [key]: 2 } }));
      bytes.set([0xed, 0xa0, 0x80], bytes.indexOf(Buffer.from('efbfbd', 'hex')));
      const problem = msgpackProblem(bytes);
      expect(problem?.message).toMatch(/^a key is not valid UTF-8/);
      expect(problem).toMatchObject({ path: ['outer'] });
    }
  });

  it('takes every valid string, ASCII or not, short or long', () => {
    for (const text of ['', 'a', 'x'.repeat(64), 'x'.repeat(65), 'Hej då', 'å'.repeat(64), '😀'.repeat(20)]) {
      const bytes = encode({ type: 'x', [text || 'k']: text });
      expect(msgpackProblem(bytes)).toBeUndefined();
      expect(msgpack.decode(bytes)).toEqual({ type: 'x', [text || 'k']: text });
    }
  });
});
