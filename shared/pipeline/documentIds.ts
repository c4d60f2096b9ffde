/** Firestore document ids derived from the data, so that redelivery lands on the same document. */

/** Firestore ids may not contain '/' nor be '.' or '..'; percent-encoding keeps them readable and unique. */
function safeId(text: string): string {
  return text
    .replaceAll('%', '%25')
    .replaceAll('/', '%2F')
    .replace(/^\.\.?$/, (dots) => dots.replaceAll('.', '%2E'));
}

/** One ingestion per object generation: `incoming%2FACME.csv@1700000000000000`. */
export function ingestionId(objectName: string, generation: string): string {
  return `${safeId(objectName)}@${generation}`;
}

export function symbolStateId(symbol: string): string {
  return safeId(symbol);
}

/** The identity of an alert (contract §3), as a document id: `BAJAJ_AUTO@2017-01-02T03:45:00Z`. */
export function alertId(alert: { symbol: string; timestamp: string }): string {
  return `${safeId(alert.symbol)}@${alert.timestamp}`;
}

/** An episode's id (contract §5), the same form as its first alert's: `BAJAJ_AUTO@2017-01-02T03:45:00Z`. */
export function episodeId(episode: { symbol: string; start: string }): string {
  return `${safeId(episode.symbol)}@${episode.start}`;
}

/** The start of the episode an id names (the text after its last `@`: a timestamp holds none). */
export function episodeStartOf(id: string): string {
  return id.slice(id.lastIndexOf('@') + 1);
}

/** A symbol's bars of one UTC day (docs/records.md): `BAJAJ_AUTO@2017-01-02`. */
export function barDayId(symbol: string, day: string): string {
  return `${safeId(symbol)}@${day}`;
}
