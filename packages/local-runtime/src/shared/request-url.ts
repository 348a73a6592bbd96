/**
 * A request's target read as a URL, whatever the client sent. An origin-form target (`/path?query`) is read under a
 * fixed origin, so that `//x` or `//?q` stays a path instead of naming a host (`new URL('//?q', base)` throws); an
 * absolute-form one (`http://host/path`) is read as it is. Throws for a target no URL can hold (`http://[`).
 */
const parseTarget = (target: string): URL =>
  target.startsWith('/') ? new URL(`http://localhost${target}`) : new URL(target);

/** The request's target as a URL; one no URL can hold reads as `/`. */
export const requestUrl = (target = '/'): URL => {
  try {
    return parseTarget(target);
  } catch {
    return new URL('http://localhost/');
  }
};

/** The path of a request target; none for one no URL can hold. */
export const requestPath = (target = '/'): string | undefined => {
  try {
    return parseTarget(target).pathname;
  } catch {
    return undefined;
  }
};

/** A percent-encoded part of a path, decoded; none when its encoding is broken (`%ZZ`, a lone `%E2`). */
export const decodedPathPart = (text: string): string | undefined => {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
};
