// The files of a message or a post (PROTOCOL.md §9): each a <schoolhub-attachment>, which
// shows an image's thumbnail (made by the hub on upload) as a button that opens it full size,
// and a PDF as a button that opens it; fetched with the page's token, never by a URL the hub or
// a user wrote into the page.
import { html, type TemplateResult } from 'lit';
import type { HubClient } from '../client/client.ts';
import type { Attachment } from '../client/development-protocol.ts';
import { devStrings } from './development-i18n.ts';
import type { Locale } from './i18n.ts';
import '../attachment-view.ts';

export function filesView(files: readonly Attachment[], client: HubClient | undefined, locale: Locale): TemplateResult {
  const strings = devStrings(locale);
  return html`<div class="files" part="files">${files.map((f) => html`<schoolhub-attachment .client=${client} .attachment=${f} .strings=${strings}
    alt=${f.filename} locale=${locale === 'en' ? 'en-GB' : 'sv-SE'}></schoolhub-attachment>`)}</div>`;
}
