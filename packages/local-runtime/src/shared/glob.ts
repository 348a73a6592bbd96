/**
 * Wildcard patterns (`*` any run of characters, `?` optionally any one character), matched in time proportional to
 * the pattern's length times the value's, never more. A regular expression of `.*` runs backtracks polynomially in the
 * value's length to the power of the stars: `*a` twelve times then `b`, against a long run of `a`s, held the event loop
 * (and every port) for minutes. Characters are UTF-16 code units, as a regular expression without the `u` flag sees.
 */
type Token = { kind: 'star' } | { kind: 'one' } | { kind: 'text'; char: string };

export interface GlobOptions {
  /** `?` is any one character (IAM policies); otherwise a literal `?`. */
  questionMark?: boolean;
  /** `\*` is a star and `\\` a backslash (EventBridge, "Wildcard matching"). */
  escapes?: boolean;
  caseInsensitive?: boolean;
}

export interface Glob {
  test: (value: string) => boolean;
}

export const glob = (pattern: string, options: GlobOptions = {}): Glob => {
  const fold = (text: string) => (options.caseInsensitive ? text.toLowerCase() : text);
  const source = fold(pattern);
  const tokens: Token[] = [];
  for (let i = 0; i < source.length; i++) {
    const char = source[i] ?? '';
    if (options.escapes && char === '\\' && i + 1 < source.length)
      tokens.push({ kind: 'text', char: source[++i] ?? '' });
    else if (char === '*') {
      // Consecutive stars are one.
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (char === '?' && options.questionMark) tokens.push({ kind: 'one' });
    else tokens.push({ kind: 'text', char });
  }
  return {
    test: (raw) => {
      const value = fold(raw);
      let p = 0;
      let v = 0;
      // The last star seen and where in the value it began: on a mismatch, the star takes one character more.
      let star = -1;
      let starFrom = 0;
      while (v < value.length) {
        const token = tokens[p];
        if (token && (token.kind === 'one' || (token.kind === 'text' && token.char === value[v]))) {
          p++;
          v++;
        } else if (token?.kind === 'star') {
          star = p++;
          starFrom = v;
        } else if (star >= 0) {
          p = star + 1;
          v = ++starFrom;
        } else return false;
      }
      while (tokens[p]?.kind === 'star') p++;
      return p === tokens.length;
    },
  };
};
