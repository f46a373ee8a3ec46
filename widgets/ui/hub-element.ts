// What every widget shares: the page's connection (through a reactive controller), the
// language, the connection status line and a polite live region for announcements.
// Widgets declare reactive properties with Lit's decorators and their default beside them:
// `@property()` for what the page sets (attributes), `@state()` for the widget's own state
// (tsconfig: experimentalDecorators, and useDefineForClassFields off, as Lit's decorators need).
import { LitElement, html, type CSSResultGroup, type ReactiveController, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { HubClient } from '../client/client.ts';
import { configureFromAttributes, whenConfigured } from '../client/page.ts';
import { failedText, localeOf, strings, type Locale, type Strings } from './i18n.ts';
import { base } from './styles.ts';

/**
 * Finds the page's client (configuring it from the host's attributes if they are the first),
 * starts it, re-renders the host on status changes, and runs the host's `attach` while the
 * host is in the document.
 */
/**
 * The widgets that show a connection status line, in the order they first rendered one. All
 * widgets on a page share one connection, so only the first says "Reconnecting…"; four
 * identical lines would only alarm. Kept on globalThis like the client (page.ts), so two
 * copies of the bundle on one page still agree on one speaker.
 */
const SPEAKERS = Symbol.for('schoolhub.statusSpeakers');
function speakers(): Set<HubElement> {
  const g = globalThis as { [SPEAKERS]?: Set<HubElement> };
  return (g[SPEAKERS] ??= new Set());
}

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
    const all = speakers();
    const wasFirst = all.values().next().value === this.host;
    all.delete(this.host);
    // The next widget takes over the page's status line.
    if (wasFirst) all.values().next().value?.requestUpdate();
  }
}

export abstract class HubElement extends LitElement {
  static override styles: CSSResultGroup = [base];

  /** The `lang` attribute; only read through `locale` (which also looks at ancestors). */
  @property({ attribute: 'lang' }) language: string | null = null;
  @state() announcement = '';
  protected readonly hub = new HubController(this);

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
    const all = speakers();
    all.add(this);
    const speaks = all.values().next().value === this;
    const status = this.client?.status ?? 'idle';
    // A configuration error is this widget's own; the connection's status is the page's.
    const text = this.hub.error || (!speaks ? '' : status === 'failed' ? failedText(this.client?.lastClose?.code, this.t) : this.t.status[status]);
    return html`<p class="status" part="status" role="status">${text}</p>
      <div class="sr-only" aria-live="polite" aria-atomic="true">${this.announcement}</div>`;
  }
}
