import type { render } from 'velocityjs';

type CompileConfig = NonNullable<Parameters<typeof render>[3]>;
type Handler = NonNullable<CompileConfig['customMethodHandlers']>[number];

/**
 * The Java objects API Gateway's Velocity engine hands a template for JSON (`$input.path`, `$util.parseJson`), with
 * their Java `toString()`: a JSON array prints as JSON (`[{"foo":"bar"}]`), a JSON object as a Java map
 * (`{foo=bar, list=[{"a":1}]}`). AWS's own output, recorded by LocalStack's parity test
 * `test_input_path_template_formatting`, shows both forms.
 */
export class JsonList extends Array<unknown> {
  override toString(): string {
    return show(this);
  }
}

export class JsonMap {
  [key: string]: unknown;

  toString(): string {
    return show(this);
  }
}

/** Turns parsed JSON into the values a template sees; a JSON null becomes undefined, which renders as nothing. */
export const fromJson = (value: unknown): unknown => {
  if (value === null) return undefined;
  return convert(value);
};

const convert = (value: unknown): unknown => {
  if (Array.isArray(value)) {
    const list = new JsonList();
    for (const item of value) list.push(convert(item));
    return list;
  }
  if (value !== null && typeof value === 'object') {
    const map = new JsonMap();
    // defineProperty, not assignment: a JSON key `__proto__` must stay a key, not replace the prototype.
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(map, key, { value: convert(item), enumerable: true, writable: true, configurable: true });
    }
    return map;
  }
  return value;
};

/** Java's `toString()` of a value; never calls the value's own methods (a JSON key may be named `toString`). */
export const show = (value: unknown): string => {
  if (value === null || value === undefined) return 'null';
  if (value instanceof JsonList) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, item]) => `${key}=${show(item)}`)
      .join(', ')}}`;
  }
  return String(value);
};

/** What Java's `String.valueOf` would give a `$util` function for this value; nothing at all for null. */
export const javaString = (value: unknown): string => (value === null || value === undefined ? '' : show(value));

const isCollection = (value: unknown): value is object => value !== null && typeof value === 'object';

const method = (name: string, arity: number, run: (self: object, ...args: unknown[]) => unknown): Handler => ({
  uid: `java.util#${name}`,
  match: ({ property, context, params }) => property === name && isCollection(context) && params.length === arity,
  resolve: ({ context, params }) => run(context as object, ...params),
});

const values = (self: object): unknown[] => (Array.isArray(self) ? self : Object.values(self));

/**
 * java.util.List and java.util.Map methods velocityjs lacks. `toString()` is answered here rather than by the
 * object's own method, because velocityjs stores an `eval` helper on any object whose own method a template calls,
 * which would then show up in `keySet()` and `size()`.
 */
export const collectionMethods: Handler[] = [
  method('toString', 0, (self) => show(self)),
  method('isEmpty', 0, (self) => values(self).length === 0),
  method('contains', 1, (self, item) => values(self).includes(item)),
  method('containsKey', 1, (self, key) => !Array.isArray(self) && Object.hasOwn(self, String(key))),
  method('containsValue', 1, (self, item) => !Array.isArray(self) && Object.values(self).includes(item)),
  method('values', 0, (self) => values(self)),
];
