/**
 * Strings held once: a symbol or an episode id is stored as a small integer in the columns, and its text
 * lives here a single time however many rows name it.
 */
export class Interner {
  readonly #ids = new Map<string, number>();
  readonly #values: string[] = [];

  /** The index of `text`, adding it when new. */
  intern(text: string): number {
    let id = this.#ids.get(text);
    if (id === undefined) {
      id = this.#values.length;
      this.#values.push(text);
      this.#ids.set(text, id);
    }
    return id;
  }

  /** The index of `text`, or undefined when no row ever named it. */
  find(text: string): number | undefined {
    return this.#ids.get(text);
  }

  value(id: number): string {
    return this.#values[id]!;
  }

  get size(): number {
    return this.#values.length;
  }
}
