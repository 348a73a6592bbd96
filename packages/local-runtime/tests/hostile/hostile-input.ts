/**
 * Seeded generators of hostile input: the same seed gives the same requests, so a failure found once can be run
 * again (FUZZ_SEED=<seed>).
 */
export type Random = () => number;

/** mulberry32: a small seeded generator, good enough to pick test input. */
export const seeded = (seed: number): Random => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

export const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
export const chance = (random: Random, p: number) => random() < p;
const int = (random: Random, max: number) => Math.floor(random() * max);

/** Names a client chooses that collide with what a plain JavaScript object already has. */
export const PROTOTYPE_NAMES = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  'prototype',
  'then',
  'length',
] as const;

const TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~";

const randomToken = (random: Random, max = 24) => {
  let text = '';
  const length = 1 + int(random, max);
  for (let index = 0; index < length; index += 1) text += TOKEN_CHARS[int(random, TOKEN_CHARS.length)];
  return text;
};

/** Header and query names: prototype members, the runtime's own names in odd case, and random tokens. */
export const hostileName = (random: Random): string =>
  pick(random, [
    () => pick(random, PROTOTYPE_NAMES),
    () => pick(random, ['Host', 'authorization', 'X-API-Key', 'content-type', 'x-amzn-trace-id', 'Cookie']),
    () => randomToken(random),
    () => randomToken(random, 300),
    () => `x-${pick(random, PROTOTYPE_NAMES)}`,
  ])();

/** Header values as bytes on the wire: printable, Latin-1 high bytes, UTF-8, long, empty, JSON-looking. */
export const hostileHeaderValue = (random: Random): string =>
  pick(random, [
    () => '',
    () => randomToken(random, 60),
    () => 'é€😀'.repeat(1 + int(random, 10)),
    () => '\u00ff\u00fe\u0080 latin1',
    () => 'x'.repeat(int(random, 12_000)),
    () => '{"a":1}',
    () => 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
    () => pick(random, PROTOTYPE_NAMES),
    () => '$context.requestId ${x} #set($a=1)',
  ])();

const percentGarbage = ['%', '%Z', '%ZZ', '%00', '%2e%2e', '%2F', '%C0%AF', '%E2%82', '%FF', '%u0041'];

/** A path below the stage: real routes, prototype names as segments, broken percent-encoding, dots, long paths. */
export const hostilePath = (random: Random, routes: readonly string[]): string => {
  const segments: string[] = [];
  const count = int(random, 6);
  for (let index = 0; index < count; index += 1) {
    segments.push(
      pick(random, [
        () => pick(random, PROTOTYPE_NAMES),
        () => randomToken(random).replace(/[#?]/g, ''),
        () => pick(random, percentGarbage),
        () => pick(random, ['.', '..', '', '~', '@connections', '{proxy+}', '$default']),
        () => encodeURIComponent('é😀'),
      ])(),
    );
  }
  const base = pick(random, routes);
  return chance(random, 0.5) ? base : `${base}/${segments.join('/')}`.replace(/\/{3,}/g, '//');
};

/** A query string with hostile names, repeated names, empty values and broken encodings. */
export const hostileQuery = (random: Random): string => {
  if (chance(random, 0.3)) return '';
  const pairs: string[] = [];
  const count = 1 + int(random, 8);
  for (let index = 0; index < count; index += 1) {
    const name = chance(random, 0.2) ? pick(random, percentGarbage) : encodeURIComponent(hostileName(random));
    const value = pick(random, ['', 'x', pick(random, percentGarbage), encodeURIComponent(hostileHeaderValue(random))]);
    pairs.push(chance(random, 0.1) ? name : `${name}=${value}`);
  }
  return `?${pairs.join('&')}`;
};

const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** JSON objects whose keys are hostile names, so a body parsed into an object and indexed by them is tested too. */
export const hostileJson = (random: Random, depth = 0): unknown => {
  if (depth > 3 || chance(random, 0.3)) return pick(random, [null, 0, -1e308, 'x', true, '__proto__', []]);
  const object: Record<string, unknown> = {};
  const count = 1 + int(random, 5);
  for (let index = 0; index < count; index += 1) {
    Object.defineProperty(object, hostileName(random), {
      value: hostileJson(random, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return object;
};

/** Request bodies: hostile JSON, broken JSON, deep nesting, binary, form-encoded, large. */
export const hostileBody = (random: Random): Buffer =>
  pick(random, [
    () => Buffer.alloc(0),
    () => Buffer.from(JSON.stringify(hostileJson(random))),
    () => Buffer.from('{"a":'),
    () => Buffer.from(nested(5000 + int(random, 50_000))),
    () => Buffer.from(Array.from({ length: int(random, 4096) }, () => int(random, 256))),
    () => Buffer.from(`Action=${encodeURIComponent(hostileName(random))}&${hostileQuery(random).slice(1)}`),
    () => Buffer.alloc(int(random, 2_000_000), 'a'),
    () => Buffer.from('\uFEFF{"action":"$default"}'),
  ])();

export const METHODS = [
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'HEAD',
  'OPTIONS',
  'get',
  'FOO',
  'M-SEARCH',
  'CONNECT',
];

/** An HTTP/1.1 request as bytes, each header exactly as given (a `Host` header is added unless one is given). */
export const requestBytes = (
  method: string,
  target: string,
  headers: [string, string][],
  body: Buffer,
  options: { chunked?: boolean; withoutLength?: boolean } = {},
): Buffer => {
  const lines = [`${method} ${target} HTTP/1.1`];
  if (!headers.some(([name]) => name.toLowerCase() === 'host')) lines.push('Host: 127.0.0.1');
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  lines.push('Connection: close');
  if (options.chunked) {
    lines.push('Transfer-Encoding: chunked');
    const chunked = body.length > 0 ? [Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n')] : [];
    return Buffer.concat([
      Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'),
      ...chunked,
      Buffer.from('0\r\n\r\n'),
    ]);
  }
  if (body.length > 0 || !options.withoutLength) lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
};

/** Malformed requests a parser must refuse with 400: no crash, no hang. */
export const malformedRequest = (random: Random): Buffer =>
  Buffer.from(
    pick(random, [
      'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nxx\r\n0\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\n bad-fold: x\r\n\r\n',
      'GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n',
      'GET / HTTP/9.9\r\nHost: a\r\n\r\n',
      'GARBAGE\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nX: \u0001\u007f\r\n\r\n',
      `GET /${'a'.repeat(70_000)} HTTP/1.1\r\nHost: a\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: a\r\n${'X-Many: 1\r\n'.repeat(3000)}\r\n`,
    ]),
    'latin1',
  );
