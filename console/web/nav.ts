/**
 * Esc goes back: to the page the analyst came from inside the console (the browser's back, so a list comes
 * back with its filters), or, when the page was opened directly, to its parent list.
 */
let visited = 0;

/** main.ts calls this on every route change. */
export function rememberRoute(): void {
  visited += 1;
}

export function goBack(parent: string): void {
  if (visited > 1) history.back();
  else location.hash = parent;
}
