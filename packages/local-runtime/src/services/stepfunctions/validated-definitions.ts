import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The ASL definitions found valid before, by this start or an earlier one: an empty file each in the OS temp folder,
 * named by a digest of the definition and of the validator (aws-local-stepfunctions' file, size and time). Validating
 * a definition compiles the ASL schemas with Ajv first, about 400 ms of CPU on the machines this was measured on, most
 * of a restart; a definition known to be valid is not validated again. Only valid ones are recorded, so an invalid
 * definition is refused at every start, as before.
 */
const FOLDER = join(tmpdir(), 'sam-local-runtime', 'asl-valid');

const validatorIdentity = (() => {
  try {
    const file = fileURLToPath(import.meta.resolve('aws-local-stepfunctions'));
    const { size, mtimeMs } = statSync(file);
    return `${file}\n${size}\n${mtimeMs}`;
  } catch {
    return undefined;
  }
})();

/**
 * The definition with the ports of URLs left out: the local endpoints' URLs (a queue's, substituted into the
 * definition) take a free port at each start, and a URL is a plain string to the validator, never an ARN or a path.
 */
const withoutPorts = (definition: string): string => definition.replace(/(\bhttps?:\/\/[^/:"\s]+):\d+/g, '$1:0');

const markOf = (definition: string, options: string): string | undefined =>
  validatorIdentity === undefined
    ? undefined
    : join(
        FOLDER,
        createHash('sha256')
          .update(`${validatorIdentity}\n${options}\n${withoutPorts(definition)}`)
          .digest('hex')
          .slice(0, 32),
      );

export const validatedBefore = (definition: string, options: string): boolean => {
  const mark = markOf(definition, options);
  return mark !== undefined && existsSync(mark);
};

export const rememberValid = (definition: string, options: string): void => {
  const mark = markOf(definition, options);
  if (mark === undefined) return;
  try {
    mkdirSync(FOLDER, { recursive: true });
    writeFileSync(mark, '');
  } catch {
    // Not remembered: the next start validates it again.
  }
};
