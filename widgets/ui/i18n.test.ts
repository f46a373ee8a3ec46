// Every error code a widget can meet has its own words in both languages, and the Swedish
// words never carry the hub's English reason.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../hub/protocol/codes.ts';
import { HubError } from '../client/protocol.ts';
import { AttachmentError } from '../client/attachments.ts';
import { errorText, failedText, strings } from './i18n.ts';

const sv = strings('sv');
const en = strings('en');

describe('error texts', () => {
  it('word every request code, upload code and close code, in Swedish without the hub’s reason', () => {
    for (const code of [...ERROR_CODES, 'closed'] as const) {
      const err = new HubError(code, 'the hub says why, in English');
      expect(errorText(err, sv)).toBe(sv.errors[code]);
      expect(errorText(err, en)).toBe(`${en.errors[code]} (the hub says why, in English)`);
    }
    const uploads: [number, string, string][] = [
      [429, 'quota_exceeded', sv.errors.quota_exceeded], [507, 'storage_full', sv.errors.storage_full], [507, 'disk_full', sv.errors.disk_full],
      [415, 'invalid', sv.errors.bad_type], [413, 'too_large', sv.errors.too_large], [500, 'internal', sv.errors.internal], [502, '', sv.errors.unknown],
    ];
    for (const [status, code, text] of uploads) expect(errorText(new AttachmentError(status, 'reason', code), sv)).toBe(text);
    for (const code of [4001, 4002, 4003, 4008, 4009, 1001, 1009]) expect(failedText(code, sv)).toMatch(/^Kunde inte ansluta till skolhubben\. \S/);
    expect(failedText(1006, sv)).toBe(sv.status.failed);
  });

  it('show a widget’s own refusal as it is, and the browser’s English ones not at all', () => {
    expect(errorText(new Error(sv.chooseTarget), sv)).toBe(sv.chooseTarget);
    expect(errorText(new TypeError('Failed to fetch'), sv)).toBe(sv.errors.unknown);
  });
});
