import { describe, expect, it } from 'vitest';
import type { TemplateResult } from 'lit';
import { linkify } from './linkify.ts';

const base = 'https://portal.example/start';

/** The parts as plain data: text stays a string, a link becomes {href, text} (and is checked to be safe). */
function parts(text: string): (string | { href: string; text: string })[] {
  return linkify(text, 'opens in a new tab', base).map((p) => {
    if (typeof p === 'string') return p;
    const r = p as TemplateResult;
    const markup = r.strings.join('${}');
    expect(markup).toContain('target="_blank" rel="noopener noreferrer"');
    return { href: String(r.values[0]), text: String(r.values[2]) };
  });
}

describe('linkify', () => {
  it('makes http(s) URLs links and leaves the rest as text', () => {
    expect(parts('Läs https://skolan.se/lov och http://a.example/x?y=1#z nu')).toEqual([
      'Läs ',
      { href: 'https://skolan.se/lov', text: 'https://skolan.se/lov' },
      ' och ',
      { href: 'http://a.example/x?y=1#z', text: 'http://a.example/x?y=1#z' },
      ' nu',
    ]);
    expect(parts('inga länkar här')).toEqual(['inga länkar här']);
    expect(parts('')).toEqual([]);
  });

  it('leaves trailing punctuation out, but keeps a bracket the URL opened', () => {
    expect(parts('Se https://skolan.se/a.')).toEqual(['Se ', { href: 'https://skolan.se/a', text: 'https://skolan.se/a' }, '.']);
    expect(parts('(https://skolan.se/a), eller?')).toEqual(['(', { href: 'https://skolan.se/a', text: 'https://skolan.se/a' }, '), eller?']);
    expect(parts('https://sv.wikipedia.org/wiki/Lov_(skola)!')).toEqual([
      { href: 'https://sv.wikipedia.org/wiki/Lov_(skola)', text: 'https://sv.wikipedia.org/wiki/Lov_(skola)' },
      '!',
    ]);
    expect(parts('”https://skolan.se/b”')).toEqual(['”', { href: 'https://skolan.se/b', text: 'https://skolan.se/b' }, '”']);
  });

  it('makes no link of javascript:, data: or other schemes', () => {
    for (const hostile of [
      'javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox',
      'file:///etc/passwd', 'ftp://x.example/a', 'jav&#x09;ascript:alert(1)', 'https://', 'http:/x.example',
    ]) {
      expect(parts(hostile), hostile).toEqual([hostile]);
    }
    // A "https" inside another scheme's text links only the real http(s) URL in it.
    expect(parts('javascript:https://x.example')).toEqual(['javascript:', { href: 'https://x.example/', text: 'https://x.example' }]);
  });

  it('ends a URL at quotes and angle brackets, so markup stays text around it', () => {
    expect(parts('<a href="https://x.example/a" onclick="alert(1)">x</a>')).toEqual([
      '<a href="',
      { href: 'https://x.example/a', text: 'https://x.example/a' },
      '" onclick="alert(1)">x</a>',
    ]);
    expect(parts("https://x.example/'onmouseover='alert(1)")).toEqual([
      { href: 'https://x.example/', text: 'https://x.example/' },
      "'onmouseover='alert(1)",
    ]);
    expect(parts('<script>https://x.example/s</script>')).toEqual([
      '<script>',
      { href: 'https://x.example/s', text: 'https://x.example/s' },
      '</script>',
    ]);
  });

  it('links only through the URL parser’s reading (spaces and control characters end a URL)', () => {
    expect(parts('https://x.example/a\u0000b')).toEqual([{ href: 'https://x.example/a%00b', text: 'https://x.example/a\u0000b' }]);
    expect(parts('https://x.example/a\tb')).toEqual([{ href: 'https://x.example/a', text: 'https://x.example/a' }, '\tb']);
  });
});
