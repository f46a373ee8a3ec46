// The widgets a page rarely shows load on demand, so the one script tag a portal adds stays
// small (widgets/README.md, "What loads when"). The entry knows only their tag names; the
// first time such an element is in the document, its module is imported (a chunk next to
// schoolhub.js, fetched relative to it) and the module defines the element, which upgrades
// every instance already on the page. Properties set before that are kept (Lit takes
// properties set on an element before its upgrade). Only the document is watched, not shadow
// roots: no widget renders these three inside itself, and a portal that places one inside its
// own shadow root calls loadWidget.
type Loader = () => Promise<unknown>;

const LOADERS: Record<string, Loader> = {
  'schoolhub-development': () => import('./development.ts'),
  'schoolhub-documentation': () => import('./documentation.ts'),
  'schoolhub-notifications': () => import('./notifications.ts'),
};

export const LAZY_TAGS = Object.keys(LOADERS);

const started = new Map<string, Promise<unknown>>();

/**
 * Loads and defines one on-demand widget now (for pages that make the element before placing
 * it, or want the class: `await loadWidget(tag)` then `customElements.get(tag)`).
 */
export function loadWidget(tag: string): Promise<void> {
  const loader = LOADERS[tag];
  if (!loader) return Promise.reject(new Error(`not an on-demand widget: ${tag}`));
  let p = started.get(tag);
  if (!p) {
    p = loader();
    // A failed fetch (network, hub restarting) may be retried on the next sighting.
    p.catch(() => started.delete(tag));
    started.set(tag, p);
  }
  return p.then(() => undefined);
}

const selector = LAZY_TAGS.join(',');

function scan(root: ParentNode | Element): void {
  if (root instanceof Element && root.matches(selector)) void loadWidget(root.localName).catch(report);
  for (const el of root.querySelectorAll(selector)) void loadWidget(el.localName).catch(report);
}

function report(e: unknown): void {
  console.error('[schoolhub] a widget could not be loaded', e);
}

/** Watches the document for on-demand widgets (those already there and those added later). */
export function watchForLazyWidgets(doc: Document = document): void {
  scan(doc);
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) if (n instanceof Element) scan(n);
  }).observe(doc, { childList: true, subtree: true });
}
