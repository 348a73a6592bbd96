import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envVarsFor, parseDotenv, readEnvVarsFile } from '../../src/runtime/env-vars.ts';
import { findTemplate } from '../../src/template/template-file.ts';

/** `--env-vars` as SAM CLI reads it, and the template SAM CLI's local commands look for. */
let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'env-vars-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

describe('--env-vars', () => {
  it('gives a function its own values over Parameters, by logical id or function name, declared variables only', () => {
    const overrides = { Parameters: { A: 'p', B: 'p' }, 'my-fn': { B: 'own', C: 1, D: false, E: null, F: [1] } };
    expect(envVarsFor(overrides, { logicalId: 'Fn', name: 'my-fn' }, ['A', 'B', 'C', 'D', 'E', 'F', 'G'])).toEqual({
      A: 'p',
      B: 'own',
      C: '1',
      D: 'false',
      E: '',
      F: '',
    });
    expect(envVarsFor(overrides, { logicalId: 'Other', name: 'other' }, ['B'])).toEqual({ B: 'p' });
  });

  it('reads a file that is not JSON as a .env file whose variables apply to every function', () => {
    const file = join(folder, '.env');
    writeFileSync(
      file,
      '# local\nexport TABLE=orders\nQUOTED="a \\"b\\"\\nc" # comment\nSINGLE=\'x # y\'\nPLAIN=v # note\nEMPTY=\n',
    );
    expect(readEnvVarsFile(file)).toEqual({
      Parameters: { TABLE: 'orders', QUOTED: 'a "b"\nc', SINGLE: 'x # y', PLAIN: 'v', EMPTY: '' },
    });
    expect(parseDotenv('not a variable\n')).toEqual({});
  });
});

describe('findTemplate', () => {
  it("prefers template.yaml, then .yml, then .json; sam build's output only when it is not older", () => {
    expect(findTemplate(folder, { includeBuild: true })).toBeUndefined();
    writeFileSync(join(folder, 'template.json'), '{}');
    writeFileSync(join(folder, 'template.yml'), '');
    expect(findTemplate(folder, { includeBuild: true })?.path).toBe('template.yml');
    mkdirSync(join(folder, '.aws-sam', 'build'), { recursive: true });
    const built = join(folder, '.aws-sam', 'build', 'template.yaml');
    writeFileSync(built, '');
    const past = new Date(Date.now() - 60_000);
    utimesSync(built, past, past);
    expect(findTemplate(folder, { includeBuild: true })).toEqual({
      path: 'template.yml',
      note: 'template template.yml (.aws-sam/build/template.yaml is older than it: run sam build again to use the built one)',
    });
    utimesSync(join(folder, 'template.yml'), new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    expect(findTemplate(folder, { includeBuild: true })?.path).toBe('.aws-sam/build/template.yaml');
    expect(findTemplate(folder, { includeBuild: false })?.path).toBe('template.yml');
  });
});
