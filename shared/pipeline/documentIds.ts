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

/** A symbol's bars of one UTC hour (docs/records.md): `BAJAJ_AUTO@2017-01-02T03`. */
export function barHourId(symbol: string, hour: string): string {
  return `${safeId(symbol)}@${hour}`;
}

/** Bounds of a range of document ids, both inclusive. */
export interface IdRange {
  from: string;
  to: string;
}

/**
 * The ids of a symbol's `bars/` documents of the UTC days `fromDay` through `toDay` (`symbolPart` is the symbol as
 * ids write it, symbolStateId's): its hours' ids sort between them, and a symbol holds no `@` (contract §1), so
 * no other symbol's do. A document of a whole day (`BAJAJ_AUTO@2017-01-02`, as an older detect wrote) is too.
 */
export function barDaysRange(symbolPart: string, fromDay: string, toDay: string): IdRange {
  return { from: `${symbolPart}@${fromDay}`, to: `${symbolPart}@${toDay}\uffff` };
}
