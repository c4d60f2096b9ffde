/**
 * A tiny element builder: `h('td', { class: 'num' }, '12')`. Text is always set as text, never parsed as HTML,
 * so symbols, object names and comments from the data cannot inject markup.
 */

type Child = Node | string | number | null | undefined | false;
/** Children nest freely (a row of cells, a list of rows); they are flattened in order. */
export type Children = Child | Children[];
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Children[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') {
      element.addEventListener(name.replace(/^on/, ''), value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Children[]): void {
  for (const child of (children as unknown[]).flat(Infinity) as Child[]) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replaces everything inside `parent`. */
export function replace(parent: Element, ...children: Children[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** A status as a coloured badge. */
export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `badge status-${status}`, 'data-testid': 'status' }, status);
}

/** Rules as small tags. */
export function ruleTags(rules: readonly string[]): HTMLElement {
  return h(
    'span',
    { class: 'rules' },
    rules.map((rule) => h('span', { class: `rule rule-${rule}` }, rule)),
  );
}

/** An error box with the server's text (or the page's). */
export function errorBox(message: string, testid = 'error'): HTMLElement {
  return h('div', { class: 'error', role: 'alert', 'data-testid': testid }, message);
}
