/** DOM building for the browser scripts: elements from attributes and children, tables, busy forms. */

/** What a child may be: text and numbers become text nodes; null and undefined are left out. */
export type Child = Node | string | number | null | undefined;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === 'number' ? String(child) : child);
  }
  return node;
}

/**
 * Bring a message that must be read next into view and give it the focus: a phone scrolls to an
 * error summary below the fold, and a screen reader starts reading there.
 */
export function reveal(target: HTMLElement) {
  if (!target.hasAttribute('tabindex')) target.tabIndex = -1;
  target.scrollIntoView({ block: 'start' });
  target.focus({ preventScroll: true });
}

/** A table with a header row; cells as el() children (a null cell stays empty). */
export function table(headers: string[], rows: Child[][], attrs: Record<string, string> = {}): HTMLTableElement {
  return el(
    'table',
    attrs,
    el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, c))))),
  );
}

/** Runs a request for a form with its buttons disabled, so a second click does not send it twice. */
export async function whileBusy<T>(form: HTMLFormElement, task: () => Promise<T>): Promise<T> {
  const buttons = [...form.querySelectorAll('button')];
  for (const b of buttons) b.disabled = true;
  try {
    return await task();
  } finally {
    for (const b of buttons) b.disabled = false;
  }
}
