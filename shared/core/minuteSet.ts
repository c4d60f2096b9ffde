/**
 * A set of minutes as a paged bitmap: one bit a minute, pages allocated as minutes arrive. A symbol's years
 * of minutes cost a few hundred kilobytes, where a Set of numbers would cost tens of bytes a minute.
 */
const PAGE_BITS = 16;
const PAGE_MINUTES = 1 << PAGE_BITS;

export class MinuteSet {
  readonly #pages = new Map<number, Uint8Array>();
  #lastPageNumber = Number.NaN;
  #lastPage: Uint8Array | undefined;

  /** Adds a minute; false when it was already there. */
  add(minute: number): boolean {
    const pageNumber = Math.floor(minute / PAGE_MINUTES);
    let page = pageNumber === this.#lastPageNumber ? this.#lastPage : this.#pages.get(pageNumber);
    if (page === undefined) {
      page = new Uint8Array(PAGE_MINUTES / 8);
      this.#pages.set(pageNumber, page);
    }
    this.#lastPageNumber = pageNumber;
    this.#lastPage = page;
    const offset = minute - pageNumber * PAGE_MINUTES;
    const mask = 1 << (offset & 7);
    const byte = offset >>> 3;
    if ((page[byte]! & mask) !== 0) return false;
    page[byte] = page[byte]! | mask;
    return true;
  }
}
