import { esbuildOptions, UnsupportedBuildPropertyError } from '../../src/build/esbuild-options.ts';

describe('BuildProperties → esbuild options (as SAM CLI maps them)', () => {
  it('maps the template’s properties one to one', () => {
    expect(
      esbuildOptions({
        Format: 'esm',
        Platform: 'node',
        Target: 'node24',
        Minify: true,
        Sourcemap: true,
        OutExtension: ['.js=.mjs'],
        Banner: ["js=import { createRequire } from 'node:module';"],
        Footer: ['js=// end'],
        External: ['@aws-sdk/client-s3'],
        Loader: ['.txt=text'],
        MainFields: 'module,main',
        SourcesContent: 'false',
        EntryPoints: ['src/a.ts'],
      }),
    ).toEqual({
      entryPoints: ['src/a.ts'],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: ['node24'],
      minify: true,
      sourcemap: true,
      external: ['@aws-sdk/client-s3'],
      outExtension: { '.js': '.mjs' },
      banner: { js: "import { createRequire } from 'node:module';" },
      footer: { js: '// end' },
      loader: { '.txt': 'text' },
      mainFields: ['module', 'main'],
      sourcesContent: false,
    });
  });

  it('applies SAM CLI’s defaults: bundle, node, es2020, cjs, minified, no source map', () => {
    expect(esbuildOptions({ EntryPoints: ['x.ts'] })).toEqual({
      entryPoints: ['x.ts'],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: ['es2020'],
      minify: true,
      sourcemap: false,
      external: [],
    });
  });

  it('turns minification off only when the template says so', () => {
    expect(esbuildOptions({ EntryPoints: ['x.ts'], Minify: false }).minify).toBe(false);
  });

  it.each([
    [{ EntryPoints: ['x.ts'], Splitting: true }, /Unsupported BuildProperties: Splitting/],
    [{ EntryPoints: [] }, /EntryPoints must not be empty/],
    [{}, /EntryPoints must not be empty/],
    [{ EntryPoints: 'x.ts' }, /EntryPoints must be a list of strings/],
    [{ EntryPoints: ['x.ts'], Format: 'amd' }, /Format "amd"/],
    [{ EntryPoints: ['x.ts'], Platform: 'deno' }, /Platform "deno"/],
    [{ EntryPoints: ['x.ts'], OutExtension: ['.mjs'] }, /is not key=value/],
    [{ EntryPoints: ['x.ts'], Target: ['node24'] }, /Target must be a single value/],
  ])('refuses %j by name', (properties, message) => {
    expect(() => esbuildOptions(properties)).toThrow(UnsupportedBuildPropertyError);
    expect(() => esbuildOptions(properties)).toThrow(message);
  });
});
