/** An answer other than 200 that a handler decides on: its status and the message the caller reads. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** 400 naming the parameter at fault. */
export const badParameter = (name: string, why: string) => new HttpError(400, `${name}: ${why}`);

export const notFound = (what: string) => new HttpError(404, `no such ${what}`);
