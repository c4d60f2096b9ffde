/**
 * Keyboard first: one keydown listener for the whole app, the keys of the current page plus the global ones,
 * and `?` showing them all. While the focus is in a text field only the bindings marked `whileTyping` run (Esc,
 * Ctrl+Enter), so typing a `j` in a comment never moves a row. Enter on a focused link or button is left to the
 * browser, which opens or presses it.
 */
import { h, replace } from './dom.js';

export interface KeyBinding {
  /** `KeyboardEvent.key` values; `Ctrl+Enter` means Enter with Ctrl or Meta; `g a` is g, then a. */
  keys: string[];
  /** What the help shows. */
  label: string;
  run: (event: KeyboardEvent) => void;
  whileTyping?: boolean;
}

let globalBindings: KeyBinding[] = [];
let pageBindings: KeyBinding[] = [];
let helpElement: HTMLElement | null = null;
let returnFocus: HTMLElement | null = null;
let prefix: { key: string; at: number } | null = null;
const SEQUENCE_MS = 1500;

/** The current page's keys (replaced whenever a page mounts). */
export function setPageKeys(bindings: KeyBinding[]): void {
  pageBindings = bindings;
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !['button', 'checkbox', 'radio', 'submit', 'reset'].includes(target.type);
  }
  return false;
}

function keyName(event: KeyboardEvent): string {
  if ((event.ctrlKey || event.metaKey) && event.key === 'Enter') return 'Ctrl+Enter';
  return event.key;
}

export function helpVisible(): boolean {
  return helpElement !== null && !helpElement.hidden;
}

export function toggleHelp(show = !helpVisible()): void {
  if (helpElement === null) return;
  if (show) {
    returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const rows = (title: string, bindings: KeyBinding[]) =>
      bindings.length === 0
        ? null
        : [
            h('h3', {}, title),
            h(
              'dl',
              {},
              bindings.map((binding) => [
                h(
                  'dt',
                  {},
                  binding.keys.map((key) => h('kbd', {}, prettyKey(key))),
                ),
                h('dd', {}, binding.label),
              ]),
            ),
          ];
    const close = h('button', { type: 'button', class: 'close', onclick: () => toggleHelp(false) }, 'Close');
    replace(
      helpElement,
      h(
        'div',
        { class: 'help-panel' },
        h('h2', { id: 'help-title' }, 'Keyboard'),
        rows('This page', pageBindings),
        rows('Everywhere', globalBindings),
        close,
      ),
    );
    helpElement.hidden = false;
    close.focus();
  } else {
    helpElement.hidden = true;
    returnFocus?.focus();
    returnFocus = null;
  }
}

function prettyKey(key: string): string {
  return (
    (
      { ArrowDown: '↓', ArrowUp: '↑', Escape: 'Esc', 'Ctrl+Enter': 'Ctrl+Enter', ' ': 'Space' } as Record<
        string,
        string
      >
    )[key] ?? key
  );
}

/** Installs the listener once, with the keys that work on every page. */
export function installKeyboard(globals: KeyBinding[], help: HTMLElement): void {
  globalBindings = globals;
  helpElement = help;
  help.hidden = true;
  document.addEventListener('keydown', (event) => {
    if (event.altKey || event.defaultPrevented) return;
    const key = keyName(event);
    if (helpVisible()) {
      if (key === 'Escape' || key === '?') {
        event.preventDefault();
        toggleHelp(false);
      }
      return;
    }
    if ((event.ctrlKey || event.metaKey) && key !== 'Ctrl+Enter') return;
    const typing = isTyping(event.target);
    const onControl = event.target instanceof HTMLAnchorElement || event.target instanceof HTMLButtonElement;
    const bindings = [...pageBindings, ...globalBindings];
    // Two-key sequences (`g a`): the first key waits a moment for the second.
    const sequence = prefix !== null && Date.now() - prefix.at < SEQUENCE_MS ? `${prefix.key} ${key}` : null;
    prefix = null;
    if (!typing && sequence === null && bindings.some((b) => b.keys.some((k) => k.startsWith(`${key} `)))) {
      prefix = { key, at: Date.now() };
      event.preventDefault();
      return;
    }
    for (const binding of bindings) {
      if (!binding.keys.includes(sequence ?? key)) continue;
      if (typing && binding.whileTyping !== true) continue;
      if (key === 'Enter' && onControl) return;
      event.preventDefault();
      binding.run(event);
      return;
    }
  });
}
