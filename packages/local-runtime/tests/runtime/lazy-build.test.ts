import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRuntime } from '../../src/index.ts';
import { call, runtimeForSuite } from '../../src/testing/index.ts';

/**
 * Bundles are built on first invocations, not before the first request (issue 23), black-box: a template with three
 * esbuild functions, one of which does not compile, started as a child process with a build dir of the test's own.
 */
let dir: string;
let buildDir: string;

const esbuildFunction = (logicalId: string, module: string, path: string) => `
  ${logicalId}:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: ${module}.handler
      Events:
        Get:
          Type: Api
          Properties:
            Path: ${path}
            Method: get
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        Format: esm
        OutExtension: ['.js=.mjs']
        EntryPoints: [${module}.ts]
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lazy-build-'));
  buildDir = join(dir, 'bundles');
  mkdirSync(join(dir, 'src'));
  const handler = (name: string) =>
    `const name: string = '${name}';\nexport const handler = async () => ({ statusCode: 200, body: JSON.stringify({ name }) });\n`;
  writeFileSync(join(dir, 'src', 'alpha.ts'), handler('alpha'));
  writeFileSync(join(dir, 'src', 'beta.ts'), handler('beta'));
  writeFileSync(join(dir, 'src', 'broken.ts'), 'export const handler = async () => { return {{ ;\n');
  writeFileSync(
    join(dir, 'template.yaml'),
    `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs22.x
Resources:${esbuildFunction('AlphaFunction', 'alpha', '/alpha')}${esbuildFunction('BetaFunction', 'beta', '/beta')}${esbuildFunction('BrokenFunction', 'broken', '/broken')}`,
  );
});
// The option given last is the one taken: the test's own build dir, to look into.
const runtime = runtimeForSuite(() => ['--template', join(dir, 'template.yaml'), '--build-dir', buildDir]);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const bundleOf = (logicalId: string, module: string) => join(buildDir, logicalId, `${module}.mjs`);

describe('bundles built on first invocation', () => {
  test('start-up bundles nothing; the first request to a function builds that function only', async () => {
    expect(runtime.output()).toContain('[build] 3 esbuild functions, each bundled on its first invocation');
    expect(existsSync(bundleOf('AlphaFunction', 'alpha'))).toBe(false);
    const answer = await call(`${runtime.base}/alpha`);
    expect({ status: answer.status, body: answer.json() }).toEqual({ status: 200, body: { name: 'alpha' } });
    expect(existsSync(bundleOf('AlphaFunction', 'alpha'))).toBe(true);
    expect(existsSync(bundleOf('BetaFunction', 'beta'))).toBe(false);
    expect(runtime.output()).toMatch(/\[build\] AlphaFunction bundled in \d+ ms/);
  });

  test('concurrent first invocations share one build', async () => {
    const answers = await Promise.all([1, 2, 3].map(() => call(`${runtime.base}/beta`)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(runtime.output().match(/\[build\] BetaFunction bundled/g)).toHaveLength(1);
  });

  test('a function whose source does not compile fails its invocations as an init failure; the others answer', async () => {
    const broken = await call(`${runtime.base}/broken`);
    expect({ status: broken.status, body: broken.json() }).toEqual({
      status: 502,
      body: { message: 'Internal server error' },
    });
    const seen = await runtime.waitForOutput(
      /\[build\] esbuild could not bundle BrokenFunction: .*broken\.ts:1:\d+: ERROR/,
    );
    expect(seen).toBe(true);
    expect((await call(`${runtime.base}/alpha`)).status).toBe(200);
    expect(runtime.exited()).toBe(false);
  });
});

test('reset() before a function is first invoked leaves it to be built on that invocation', async () => {
  const local = await startLocalRuntime({
    templatePath: join(dir, 'template.yaml'),
    port: 0,
    wsPort: 0,
    watch: false,
    buildDir: join(dir, 'bundles-reset'),
    log: () => {},
  });
  try {
    await local.reset();
    const answer = await call(`${local.restUrl}/Prod/beta`);
    expect({ status: answer.status, body: answer.json() }).toEqual({ status: 200, body: { name: 'beta' } });
  } finally {
    await local.close();
  }
}, 60_000);
