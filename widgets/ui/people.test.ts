import { describe, expect, it } from 'vitest';
import { contextLabel, conversationTitle, nameList, otherNames, senderLabel, titledByContext } from './people.ts';
import { contextHref, contextLink, safeLink } from './links.ts';
import { strings } from './i18n.ts';

const sv = strings('sv');
const en = strings('en');
const base = 'https://portal.example/start';

describe('links', () => {
  it('links a context through the portal’s pattern, encoded, and only to http(s)', () => {
    expect(contextHref('/planering/{kind}/{id}', { kind: 'plan', id: 'pl 1/2' }, base)).toBe('https://portal.example/planering/plan/pl%201%2F2');
    expect(contextHref('https://lms.example/#{kind}-{id}', { kind: 'assignment', id: 'a1' }, base)).toBe('https://lms.example/#assignment-a1');
    expect(contextHref('javascript:alert({id})', { kind: 'plan', id: '1' }, base)).toBeUndefined();
    expect(contextHref(null, { kind: 'plan', id: '1' }, base)).toBeUndefined();
  });

  it('makes links only from http(s), and says which lead to another site', () => {
    expect(safeLink('/skola/plan/1', base)).toEqual({ href: 'https://portal.example/skola/plan/1', external: false });
    expect(safeLink('https://lms.example/a', base)).toEqual({ href: 'https://lms.example/a', external: true });
    for (const bad of ['javascript:alert(1)', ' JavaScript:alert(1)', 'java\tscript:alert(1)', 'jav&#x09;ascript:alert(1)', 'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)', 'file:///etc/passwd', '\u0000javascript:alert(1)', 'blob:https://portal.example/x', 'http://[bad', '', null, undefined]) {
      const link = safeLink(bad, base);
      expect(link === undefined || /^https?:/.test(link.href), String(bad)).toBe(true);
      if (link) expect(link.href).not.toMatch(/^javascript:|^data:/i);
    }
    expect(safeLink('javascript:alert(1)', base)).toBeUndefined();
    expect(safeLink('data:text/html,x', base)).toBeUndefined();
  });

  it("prefers the hub's link to the portal's pattern, unless the hub's is not http(s)", () => {
    const ctx = { kind: 'assignment' as const, id: 'a1', title: 'Bråk', link: 'https://lms.example/uppgift/a1' };
    expect(contextLink(ctx, '/skola/{kind}/{id}', base)?.href).toBe('https://lms.example/uppgift/a1');
    expect(contextLink({ ...ctx, link: 'javascript:alert(1)' }, '/skola/{kind}/{id}', base)?.href).toBe('https://portal.example/skola/assignment/a1');
    expect(contextLink({ ...ctx, link: null }, null, base)).toBeUndefined();
    expect(contextLink({ ...ctx, link: 'javascript:alert(1)' }, null, base)).toBeUndefined();
  });
});

describe('conversation helpers', () => {
  it('names the other participants, or everyone when alone', () => {
    const c = { participants: [{ id: 'me', name: 'Jag' }, { id: 'a', name: 'Anna' }, { id: 'b', name: 'Bo' }] };
    expect(otherNames(c, 'me')).toBe('Anna, Bo');
    expect(otherNames({ participants: [{ id: 'me', name: 'Jag' }] }, 'me')).toBe('Jag');
  });

  it('titles a conversation by subject, whole group, context, or people', () => {
    const people = [{ id: 'me', name: 'Jag' }, { id: 'a', name: 'Anna' }];
    const c = { subject: null, group: null, context: null, participants: people };
    const bråk = { kind: 'assignment' as const, id: 'a1', title: 'Bråk', link: null };
    expect(conversationTitle({ ...c, subject: 'Utflykt', context: bråk }, 'me', sv)).toBe('Utflykt');
    expect(conversationTitle({ ...c, group: { id: 'g', name: 'Klass 7A', audience: 'guardians' } }, 'me', sv)).toBe('Klass 7A – alla vårdnadshavare');
    expect(conversationTitle({ ...c, group: { id: 'g', name: null, audience: 'students' } }, 'me', en)).toBe('The group – all students');
    expect(conversationTitle({ ...c, context: bråk }, 'me', sv)).toBe('Uppgift: Bråk');
    expect(titledByContext({ ...c, context: bråk })).toBe(true);
    expect(titledByContext({ ...c, subject: 'Utflykt', context: bråk })).toBe(false);
    expect(conversationTitle(c, 'me', sv)).toBe('Anna');
    expect(conversationTitle({ ...c, participants: [] }, 'me', sv)).toBe('Samtal');
    expect(contextLabel({ kind: 'assignment', title: 'Bråk' }, sv)).toBe('Uppgift: Bråk');
    expect(contextLabel({ kind: 'conference', title: null }, en)).toBe('Development conference');
  });

  it('gives a neutral label to a sender the hub does not name', () => {
    expect(senderLabel({ senderId: null, senderName: null }, 'me', sv)).toBe('En deltagare');
    expect(senderLabel({ senderId: null, senderName: null }, undefined, en)).toBe('A participant');
    expect(senderLabel({ senderId: 'me', senderName: 'Jag' }, 'me', sv)).toBe('Du');
    expect(senderLabel({ senderId: 'a', senderName: 'Anna' }, 'me', sv)).toBe('Anna');
  });

  it('lists who is typing', () => {
    expect(nameList(['Anna'], sv)).toBe('Anna');
    expect(nameList(['Anna', 'Bo', 'Cia'], sv)).toBe('Anna, Bo och Cia');
    expect(nameList(['Anna', 'Bo', 'Cia', 'Dan'], sv)).toBeUndefined();
    expect(sv.typing('Anna och Bo', 2)).toBe('Anna och Bo skriver…');
    expect(en.typing('Anna and Bo', 2)).toBe('Anna and Bo are typing…');
    expect(en.typing('Anna', 1)).toBe('Anna is typing…');
  });
});
