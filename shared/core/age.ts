/**
 * How long something has waited, in the two largest units that matter: `42 s`, `5 min`, `3 h 20 min`,
 * `8 d 4 h`. A negative span (clocks a little apart) reads `0 s`. (The console's front end has the same in
 * console/web/format.ts: it imports nothing outside console/web.)
 */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}
