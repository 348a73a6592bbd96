/**
 * A request's target as a URL, whatever the client sent. An origin-form target (`/path?query`) is read under a fixed
 * origin, so that `//x` or `//?q` stays a path instead of naming a host (`new URL('//?q', base)` throws); an
 * absolute-form one (`http://host/path`) is read as it is; a target no URL can hold reads as `/`.
 */
export const requestUrl = (target = '/'): URL => {
  try {
    return target.startsWith('/') ? new URL(`http://localhost${target}`) : new URL(target);
  } catch {
    return new URL('http://localhost/');
  }
};
