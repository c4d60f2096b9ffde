/** Typed-array columns that grow by doubling: numbers kept without an object per row. */

type TypedArray = Int32Array | Float64Array | Uint8Array;
type TypedArrayConstructor<T extends TypedArray> = { new (length: number): T };

/** A copy of `column` with room for `capacity` rows, the new rows filled with `fill`. */
export function grown<T extends TypedArray>(
  Type: TypedArrayConstructor<T>,
  column: T,
  capacity: number,
  fill = 0,
): T {
  const next = new Type(capacity);
  next.set(column);
  if (fill !== 0) next.fill(fill, column.length);
  return next;
}

/** The capacity to grow to so that `needed` rows fit. */
export function capacityFor(current: number, needed: number): number {
  let capacity = Math.max(current, 1024);
  while (capacity < needed) capacity *= 2;
  return capacity;
}
