import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The module `name` beside the one at `base` (its `import.meta.url`), with that module's own extension: `.ts` beside
 * the sources, `.js` in the built package (dist/). Worker threads are started from such a file.
 */
export const moduleBeside = (base: string, name: string): URL =>
  new URL(`./${name}${extname(fileURLToPath(base))}`, base);
