// Types are decided by the bytes; the declared type must name the same one.
import { describe, expect, it } from 'vitest';
import { declaredType, sniff } from './sniff.ts';
import { cleanFilename } from './http.ts';

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('sniff', () => {
  it.each([
    ['image/png', bytes([0x89], 'PNG\r\n\x1a\n', 'rest')],
    ['image/jpeg', bytes([0xff, 0xd8, 0xff, 0xe0], 'JFIF')],
    ['image/gif', bytes('GIF89a', [1, 0, 1, 0])],
    ['image/gif', bytes('GIF87a')],
    ['image/webp', bytes('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 ')],
    ['application/pdf', bytes('%PDF-1.7\n')],
  ])('%s', (type, b) => {
    expect(sniff(b)).toBe(type);
  });
  it.each([
    ['html', bytes('<!doctype html><script>')],
    ['svg', bytes('<svg xmlns="http://www.w3.org/2000/svg">')],
    ['a RIFF that is not WebP (WAV)', bytes('RIFF', [0x24, 0, 0, 0], 'WAVEfmt ')],
    ['a truncated PNG signature', bytes([0x89], 'PN')],
    ['nothing', bytes()],
  ])('refuses %s', (_, b) => {
    expect(sniff(b)).toBeUndefined();
  });
});

describe('declaredType', () => {
  it('folds case, drops parameters, knows image/jpg', () => {
    expect(declaredType('IMAGE/PNG; charset=binary')).toBe('image/png');
    expect(declaredType('image/jpg')).toBe('image/jpeg');
    expect(declaredType('image/svg+xml')).toBeUndefined();
    expect(declaredType('')).toBeUndefined();
  });
});

describe('cleanFilename', () => {
  it('keeps the last path part without control characters, or names it', () => {
    expect(cleanFilename('../../etc/passwd', 'image/png')).toBe('passwd');
    expect(cleanFilename('C:\\Bilder\\höst.png', 'image/png')).toBe('höst.png');
    expect(cleanFilename('a\u0000b\nc.pdf', 'application/pdf')).toBe('abc.pdf');
    expect(cleanFilename('', 'image/webp')).toBe('bilaga.webp');
    expect(cleanFilename('..', 'image/png')).toBe('bilaga.png');
  });
});
