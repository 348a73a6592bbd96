import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A function's `InlineCode`, written the way CloudFormation packages `Code.ZipFile` for Node.js: one file named
 * `index.js`, which Lambda treats as CommonJS (ES modules are not supported inline), so Handler is `index.<export>`.
 * A `package.json` saying `"type": "commonjs"` beside it keeps a template folder's own `"type": "module"` from
 * changing that. Returns the directory (the function's code root).
 */
export const writeInlineCode = (buildDir: string, logicalId: string, code: string, python = false): string => {
  const dir = join(buildDir, logicalId);
  mkdirSync(dir, { recursive: true });
  // A Python function's is `index.py` (CloudFormation user guide, "AWS::Lambda::Function Code", ZipFile).
  if (python) {
    writeFileSync(join(dir, 'index.py'), code);
    return dir;
  }
  writeFileSync(join(dir, 'index.js'), code);
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
  return dir;
};
