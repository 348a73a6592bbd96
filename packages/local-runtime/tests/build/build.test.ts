import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildFunctions } from '../../src/build/build.ts';
import { loadTemplate } from '../../src/template/load.ts';

const fixture = 'packages/local-runtime/tests/build/fixtures/template.yaml';

describe('buildFunctions', () => {
  it('reuses a bundle whose options and inputs are unchanged, and rebuilds the ones that include an edited file', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'build-cache-'));
    cpSync(dirname(fixture), copy, { recursive: true });
    const template = join(copy, 'template.yaml');
    const outDir = join(copy, 'out');
    const first = await buildFunctions(template, { outDir });
    expect(first.map((fn) => [fn.logicalId, fn.cached])).toEqual([
      ['HelloFunction', false],
      ['ShoutFunction', false],
    ]);
    const second = await buildFunctions(template, { outDir });
    expect(second.map((fn) => fn.cached)).toEqual([true, true]);
    expect(second.map((fn) => Object.keys(fn.metafile.inputs))).toEqual(
      first.map((fn) => Object.keys(fn.metafile.inputs)),
    );
    const hello = join(copy, 'app', 'src', 'hello', 'index.ts');
    writeFileSync(hello, `${readFileSync(hello, 'utf8')}\nexport const edited = true;\n`);
    const third = await buildFunctions(template, { outDir });
    expect(third.map((fn) => [fn.logicalId, fn.cached])).toEqual([
      ['HelloFunction', false],
      ['ShoutFunction', true],
    ]);
    expect(readFileSync(third[0]?.outfile ?? '', 'utf8')).toContain('edited');
    rmSync(copy, { recursive: true, force: true });
  });

  it('bundles each esbuild function of a template with its own options, skipping the others', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'build-'));
    const built = await buildFunctions(fixture, { outDir });
    expect(built.map((fn) => fn.logicalId).sort()).toEqual(['HelloFunction', 'ShoutFunction']);

    const hello = built.find((fn) => fn.logicalId === 'HelloFunction');
    expect(hello?.outfile).toBe(join(outDir, 'HelloFunction', 'index.mjs'));
    const code = readFileSync(hello?.outfile ?? '', 'utf8');
    expect(code.startsWith('// built from the template metadata')).toBe(true);
    expect(code).toContain('hello ');
    expect(existsSync(`${hello?.outfile}.map`)).toBe(true);
    expect(hello?.bytes).toBe(Buffer.byteLength(code));

    // ShoutFunction names no options: SAM CLI's defaults (CommonJS, .js, minified, no map).
    const shout = built.find((fn) => fn.logicalId === 'ShoutFunction');
    expect(shout?.outfile).toBe(join(outDir, 'ShoutFunction', 'index.js'));
    expect(existsSync(`${shout?.outfile}.map`)).toBe(false);
    expect(readFileSync(shout?.outfile ?? '', 'utf8')).toContain('module.exports');
  });

  it('emits bundles Lambda can load: the handler runs from the .mjs', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'build-'));
    const [hello] = await buildFunctions(fixture, { outDir, only: ['HelloFunction'] });
    const module = (await import(pathToFileURL(hello?.outfile ?? '').href)) as {
      handler: (event: { name: string }) => Promise<unknown>;
    };
    await expect(module.handler({ name: 'lambda' })).resolves.toEqual({ message: 'hello lambda' });
  });

  it('keeps a CommonJS bundle CommonJS in a project whose package.json says "type": "module"', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'build-esm-project-'));
    cpSync(dirname(fixture), copy, { recursive: true });
    writeFileSync(join(copy, 'package.json'), '{ "type": "module" }\n');
    const [shout] = await buildFunctions(join(copy, 'template.yaml'), {
      outDir: join(copy, '.local', 'build'),
      only: ['ShoutFunction'],
    });
    // Loaded by Node.js itself, as a function's worker loads it (Jest has module rules of its own).
    const loaded = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        'const m = await import(process.argv[1]); console.log(await m.handler({ text: "hi" }));',
        pathToFileURL(shout?.outfile ?? '').href,
      ],
      { encoding: 'utf8' },
    );
    expect(loaded.stderr).toBe('');
    expect(loaded.stdout).toBe('HI\n');
    rmSync(copy, { recursive: true, force: true });
  });

  it('names the function and the property it cannot build', async () => {
    await expect(
      buildFunctions('packages/local-runtime/tests/build/fixtures/unsupported.yaml', {
        outDir: mkdtempSync(join(tmpdir(), 'build-')),
      }),
    ).rejects.toThrow(/Unsupported BuildProperties: Splitting/);
  });

  it('makes one bundle per function of the real template.yaml, each exporting its handler', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'build-'));
    const built = await buildFunctions('template.yaml', { outDir });
    const resources = loadTemplate('template.yaml').Resources as Record<string, { Type: string }>;
    const declared = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::Serverless::Function')
      .map(([name]) => name);
    expect(built.map((fn) => fn.logicalId).sort()).toEqual(declared.sort());
    for (const fn of built) {
      expect(fn.outfile).toBe(join(outDir, fn.logicalId, 'handler.mjs'));
      expect(readFileSync(fn.outfile, 'utf8')).toMatch(/export\s*\{[^}]*as handler\s*\}/);
    }
  }, 60_000);
});
