import { readFileSync } from 'node:fs';

/** The package's version, from its package.json (two folders up from src/cli/ and from a built dist/cli/ alike). */
export const packageVersion = (): string => {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return manifest.version ?? 'unknown';
};
