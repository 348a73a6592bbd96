import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** The names SAM CLI looks for, in this order, when no template is given. */
export const TEMPLATE_NAMES = ['template.yaml', 'template.yml', 'template.json'] as const;

/** Where `sam build` writes the template that points at the code it built. */
export const SAM_BUILD_TEMPLATE = join('.aws-sam', 'build', 'template.yaml');

/** A template inside `.aws-sam/build/`: `sam build`'s output, whose functions' code is already built. */
export const isSamBuildOutput = (templatePath: string): boolean => {
  const directory = dirname(resolve(templatePath));
  return basename(directory) === 'build' && basename(dirname(directory)) === '.aws-sam';
};

export interface FoundTemplate {
  /** As found, relative to the folder searched. */
  path: string;
  /** One line for the terminal: which template is read, and why that one. */
  note: string;
}

/**
 * SAM CLI's lookup when `--template` is not given (samcli/commands/_utils/options.py,
 * `get_or_default_template_file_name`): `template.yaml`, `template.yml`, `template.json` in the current folder, and
 * for the local commands `.aws-sam/build/template.yaml` before them. SAM CLI takes the built template whenever it
 * exists; here it is taken when it is at least as new as the source template, so an edit made after the last
 * `sam build` is not silently run from the stale copy (the line says which one was read, and why).
 */
export const findTemplate = (folder: string, options: { includeBuild: boolean }): FoundTemplate | undefined => {
  const source = TEMPLATE_NAMES.find((name) => existsSync(join(folder, name)));
  const built = join(folder, SAM_BUILD_TEMPLATE);
  if (options.includeBuild && existsSync(built)) {
    if (!source) return { path: SAM_BUILD_TEMPLATE, note: `template ${SAM_BUILD_TEMPLATE} (sam build's output)` };
    if (statSync(built).mtimeMs >= statSync(join(folder, source)).mtimeMs) {
      return {
        path: SAM_BUILD_TEMPLATE,
        note: `template ${SAM_BUILD_TEMPLATE} (sam build's output, newer than ${source})`,
      };
    }
    return {
      path: source,
      note: `template ${source} (${SAM_BUILD_TEMPLATE} is older than it: run sam build again to use the built one)`,
    };
  }
  return source ? { path: source, note: `template ${source}` } : undefined;
};
