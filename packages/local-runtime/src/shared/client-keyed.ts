/**
 * Maps keyed by names a client chooses: header and query parameter names, JSON keys, attribute names. A plain object
 * answers `constructor`, `toString` or `__proto__` from Object.prototype, and assigning `__proto__` replaces its
 * prototype instead of adding a key; Object.prototype is not in these objects' prototype chain, so every name is an
 * ordinary key. They serialise to JSON as plain objects do (a Lambda event, a service answer), `__proto__` included.
 *
 * Made by a constructor whose prototype has no prototype, as Node's querystring makes its results: V8 keeps such
 * objects in its fast property layout, which `Object.create(null)` gives up (twice the time to fill and serialise a
 * request's headers, measured).
 */
function KeyedMap() {}
KeyedMap.prototype = Object.create(null);

export const keyed = <T>(): Record<string, T> => new (KeyedMap as unknown as new () => Record<string, T>)();

/** A keyed map holding `entries` (a later entry of a name replaces an earlier one). */
export const keyedFrom = <T>(entries: Iterable<readonly [string, T]>): Record<string, T> => {
  const record = keyed<T>();
  for (const [key, value] of entries) record[key] = value;
  return record;
};

/** Adds `value` to the list of `name`, in order. */
export const appendTo = (lists: Record<string, string[]>, name: string, value: string): void => {
  const values = Object.hasOwn(lists, name) ? lists[name] : undefined;
  if (values) values.push(value);
  else lists[name] = [value];
};

/** `record[key]` when the record has it as its own: never a member of Object.prototype. */
export const ownValue = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;
