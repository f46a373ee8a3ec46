// What every widget shares: the page's connection (through a reactive controller), the
// language, the connection status line and a polite live region for announcements.
import { LitElement, html, type CSSResultGroup, type PropertyDeclarations, type ReactiveController, type TemplateResult } from 'lit';
import type { HubClient } from '../client/client.ts';
import { configureFromAttributes, whenConfigured } from '../client/page.ts';
import { localeOf, strings, type Locale, type Strings } from './i18n.ts';
import { base } from './styles.ts';

/**
 * Finds the page's client (configuring it from the host's attributes if they are the first),
 * starts it, re-renders the host on status changes, and runs the host's `attach` while the
 * host is in the document.
 */
class HubController implements ReactiveController {
  client: HubClient | undefined;
  private off: (() => void)[] = [];

  constructor(private readonly host: HubElement) {
    host.addController(this);
  }

  /** Why the page could not be configured (shown in the status line). */
  error = '';

  hostConnected(): void {
    try {
      configureFromAttributes(this.host.getAttribute('hub-url'), this.host.getAttribute('token-url'));
    } catch (e) {
      // A wrong attribute must not break the portal's page: say it in the widget and the console.
      this.error = e instanceof Error ? e.message : String(e);
      console.error(e);
    }
    this.off.push(
      whenConfigured((client) => {
        this.client = client;
        this.off.push(client.on('status', () => this.host.requestUpdate()), ...this.host.attach(client));
        client.start();
        this.host.requestUpdate();
      }),
    );
  }

  hostDisconnected(): void {
    for (const f of this.off.splice(0)) f();
  }
}

export abstract class HubElement extends LitElement {
  static override styles: CSSResultGroup = [base];
  static override properties: PropertyDeclarations = {
    language: { attribute: 'lang' },
    announcement: { state: true },
  };

  /** The `lang` attribute; only read through `locale` (which also looks at ancestors). */
  declare language: string | null;
  declare announcement: string;
  protected readonly hub = new HubController(this);

  constructor() {
    super();
    this.language = null;
    this.announcement = '';
  }

  get client(): HubClient | undefined {
    return this.hub.client;
  }

  get locale(): Locale {
    return localeOf(this);
  }

  get t(): Strings {
    return strings(this.locale);
  }

  /** Subscribes to the client's stores and events; returns what undoes it. */
  abstract attach(client: HubClient): (() => void)[];

  /** Says `text` through the polite live region (screen readers read it once). */
  protected announce(text: string): void {
    // Clearing first makes a repeat of the same text be read again.
    this.announcement = '';
    requestAnimationFrame(() => (this.announcement = text));
  }

  /** The connection status line and the live region; every widget renders these first. */
  protected chrome(): TemplateResult {
    const status = this.client?.status ?? 'idle';
    const offlineHint = status === 'failed' && this.client?.lastClose?.reason ? ` (${this.client.lastClose.reason})` : '';
    const text = this.hub.error || `${this.t.status[status]}${offlineHint}`;
    return html`<p class="status" part="status" role="status">${text}</p>
      <div class="sr-only" aria-live="polite" aria-atomic="true">${this.announcement}</div>`;
  }
}
