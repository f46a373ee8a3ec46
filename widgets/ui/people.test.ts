import { describe, expect, it } from 'vitest';
import { contextHref, otherNames } from './people.ts';

describe('conversation helpers', () => {
  it('links a context through the portal’s pattern, encoded, and only to http(s)', () => {
    const base = 'https://portal.example/start';
    expect(contextHref('/planering/{kind}/{id}', { kind: 'plan', id: 'pl 1/2' }, base)).toBe('https://portal.example/planering/plan/pl%201%2F2');
    expect(contextHref('https://lms.example/#{kind}-{id}', { kind: 'assignment', id: 'a1' }, base)).toBe('https://lms.example/#assignment-a1');
    expect(contextHref('javascript:alert({id})', { kind: 'plan', id: '1' }, base)).toBeUndefined();
    expect(contextHref(null, { kind: 'plan', id: '1' }, base)).toBeUndefined();
  });

  it('names the other participants, or everyone when alone', () => {
    const c = { participants: [{ id: 'me', name: 'Jag' }, { id: 'a', name: 'Anna' }, { id: 'b', name: 'Bo' }] };
    expect(otherNames(c, 'me')).toBe('Anna, Bo');
    expect(otherNames({ participants: [{ id: 'me', name: 'Jag' }] }, 'me')).toBe('Jag');
  });
});
