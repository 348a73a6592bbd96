import type { render } from 'velocityjs';

type CompileConfig = NonNullable<Parameters<typeof render>[3]>;

/**
 * API Gateway renders mapping templates with Apache Velocity on Java, so a template's string methods are
 * java.lang.String's: `replaceAll` and `replaceFirst` take a regular expression, `matches` must match the whole
 * string, `contains` and `length()` exist. velocityjs would call JavaScript's methods of the same name, where
 * `replaceAll("\\'", "'")` looks for a literal two-character string and silently does nothing. These handlers
 * give the templates Java's semantics.
 */
type Handler = NonNullable<CompileConfig['customMethodHandlers']>[number];

/** Java replacement strings escape with a backslash; JavaScript's with `$$`. */
const javaReplacement = (replacement: string): string => {
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const char = replacement[i];
    if (char === '\\' && i + 1 < replacement.length) {
      const next = replacement[++i];
      out += next === '$' ? '$$' : next;
    } else {
      out += char;
    }
  }
  return out;
};

const stringMethod = (name: string, arity: number, run: (self: string, ...args: string[]) => unknown): Handler => ({
  uid: `java.lang.String#${name}`,
  match: ({ property, context, params }) =>
    property === name &&
    typeof context === 'string' &&
    params.length === arity &&
    params.every((p) => typeof p === 'string'),
  resolve: ({ context, params }) => run(context as string, ...(params as string[])),
});

export const javaStringMethods: Handler[] = [
  stringMethod('replaceAll', 2, (self, regex = '', replacement = '') =>
    self.replace(new RegExp(regex, 'g'), javaReplacement(replacement)),
  ),
  stringMethod('replaceFirst', 2, (self, regex = '', replacement = '') =>
    self.replace(new RegExp(regex), javaReplacement(replacement)),
  ),
  stringMethod('matches', 1, (self, regex = '') => new RegExp(`^(?:${regex})$`).test(self)),
  stringMethod('split', 1, (self, regex = '') => self.split(new RegExp(regex))),
  stringMethod('contains', 1, (self, part = '') => self.includes(part)),
  stringMethod('equals', 1, (self, other = '') => self === other),
  stringMethod('equalsIgnoreCase', 1, (self, other = '') => self.toLowerCase() === other.toLowerCase()),
  stringMethod('length', 0, (self) => self.length),
  stringMethod('isEmpty', 0, (self) => self.length === 0),
];
