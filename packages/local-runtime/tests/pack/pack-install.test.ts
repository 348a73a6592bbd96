import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { call, type RuntimeInfo } from '../../src/testing/index.ts';

/**
 * The package as a user gets it: `npm pack`, the tarball installed with `npm install --save-dev` into a new project
 * outside this repository (a `sam init`-shaped template: JavaScript, CommonJS, TypeScript/esbuild and Python
 * functions, `Api` and `HttpApi` events), then run there — the CLI, the programmatic API from an `.mjs` file and
 * from a `.ts` file type-checked by the project's own tsc — on Node.js 22 (the oldest release `engines` accepts) and
 * Node.js 24, both the `node` packages of the npm registry. Only the npm registry is used, through the npm cache
 * `npm ci` filled.
 */
const PACKAGE = fileURLToPath(new URL('../..', import.meta.url));
const REPOSITORY = join(PACKAGE, '..', '..');
const FIXTURE = fileURLToPath(new URL('../fixtures/sam-init-app', import.meta.url));

const manifest = (path: string) =>
  JSON.parse(readFileSync(path, 'utf8')) as {
    engines: { node: string };
    devDependencies: Record<string, string>;
  };
const rootManifest = manifest(join(REPOSITORY, 'package.json'));
/** `engines` says `>=22.12`: that release is the one tested, and the one before it must be refused. */
const oldest = /^>=(\d+)\.(\d+)$/.exec(manifest(join(PACKAGE, 'package.json')).engines.node);
if (!oldest) throw new Error('packages/local-runtime/package.json: engines.node is not ">=MAJOR.MINOR"');
const NODE_22 = `${oldest[1]}.${oldest[2]}.0`;
const NODE_TOO_OLD = `${oldest[1]}.${Number(oldest[2]) - 1}.0`;
/** The repository's own Node.js 24: the `node` devDependency, pinned in the lockfile. */
const NODE_24 = join(dirname(createRequire(import.meta.url).resolve('node/package.json')), 'bin', 'node');

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** PATH as a user's: this Node.js first, and nothing of this repository (its node_modules/.bin has Node.js 24). */
const userEnv = (node: string): NodeJS.ProcessEnv => {
  const env = Object.fromEntries(
    // npm's own variables (npm_config_*, npm_package_*) and NODE_OPTIONS are this repository's test run's.
    Object.entries(process.env).filter(
      ([name]) => !/^npm_/i.test(name) && name !== 'NODE_OPTIONS' && name !== 'INIT_CWD',
    ),
  );
  const path = (process.env.PATH ?? '').split(delimiter).filter((entry) => !entry.startsWith(REPOSITORY));
  return { ...env, PATH: [dirname(node), ...path].join(delimiter), NO_COLOR: '1' };
};

const run = (command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Finished> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

/** npm as this test run has it (the npm-cli.js that runs `npm test`), else the one on PATH. */
const npm = (args: string[], cwd: string): Promise<Finished> => {
  const execpath = process.env.npm_execpath;
  const [command, prefix] = execpath?.endsWith('.js') ? [NODE_24, [execpath]] : ['npm', []];
  return run(command, [...prefix, ...args, '--no-audit', '--no-fund', '--prefer-offline'], cwd, userEnv(NODE_24));
};

const succeeded = (what: string, finished: Finished): Finished => {
  if (finished.code !== 0)
    throw new Error(`${what} exited with ${finished.code}:\n${finished.stdout}${finished.stderr}`);
  return finished;
};

interface Started {
  child: ChildProcess;
  output: () => string;
  info: RuntimeInfo;
  exited: Promise<number | null>;
}

/** The installed bin, through its `#!/usr/bin/env node` line: the Node.js first on PATH runs it. */
const startCli = async (project: string, node: string, extra: string[]): Promise<Started> => {
  const bin = join(project, 'node_modules', '.bin', 'sam-local-runtime');
  const args = ['start', '--port', '0', '--ws-port', '0', '--service-ports', '0', '--no-watch', ...extra];
  const child = spawn(bin, args, { cwd: project, env: userEnv(node), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const infoUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the installed CLI did not start:\n${output}`)), 90_000);
    child.stdout.on('data', () => {
      const ready = /Runtime info \(JSON\): (\S+)/.exec(output);
      if (ready?.[1]) {
        clearTimeout(timer);
        resolve(ready[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the installed CLI exited with ${code}:\n${output}`));
    });
  });
  const info = (await (await fetch(infoUrl)).json()) as RuntimeInfo;
  return { child, output: () => output, info, exited };
};

const urlOf = (info: RuntimeInfo, kind: 'REST' | 'HTTP'): string => {
  const api = info.apis.find((candidate) => candidate.kind === kind);
  if (!api) throw new Error(`no ${kind} API in ${JSON.stringify(info.apis)}`);
  return api.url;
};

let work: string;
let tarball: string;
let project: string;
const nodes: Record<string, string> = {};

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'sam-local-runtime-pack-'));
  // prepack builds dist/ (tsc), then the tarball holds bin/, dist/ and the README.
  succeeded('npm pack', await npm(['pack', '--pack-destination', work], PACKAGE));
  const packed = readdirSync(work).find((file) => file.endsWith('.tgz'));
  if (!packed) throw new Error(`npm pack left no tarball in ${work}`);
  tarball = join(work, packed);

  project = join(work, 'app');
  cpSync(FIXTURE, project, { recursive: true });
  const pinned = (name: string) => `${name}@${rootManifest.devDependencies[name]}`;
  // Node.js 22 from the npm registry, as the `node` package (its install script fetches the binary package).
  const hosts = join(work, 'hosts');
  mkdirSync(hosts);
  const [installed, hostsInstalled] = await Promise.all([
    npm(['install', '--save-dev', tarball, pinned('typescript'), pinned('@types/node')], project),
    npm(['install', `node-22@npm:node@${NODE_22}`, `node-too-old@npm:node@${NODE_TOO_OLD}`], hosts),
  ]);
  succeeded('npm install (the project)', installed);
  succeeded(`npm install (Node.js ${NODE_22} and ${NODE_TOO_OLD})`, hostsInstalled);
  nodes['22'] = join(hosts, 'node_modules', 'node-22', 'bin', 'node');
  nodes['too-old'] = join(hosts, 'node_modules', 'node-too-old', 'bin', 'node');
  nodes['24'] = NODE_24;
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

it('packs the built JavaScript, its declarations and the Python bootstrap, and no TypeScript source', async () => {
  const listed = succeeded('tar', await run('tar', ['-tzf', tarball], work, process.env));
  const files = listed.stdout.split('\n').filter(Boolean);
  expect(files).toEqual(
    expect.arrayContaining([
      'package/bin/sam-local-runtime.js',
      'package/dist/index.js',
      'package/dist/index.d.ts',
      'package/dist/cli/main.js',
      'package/dist/lambda/worker.js',
      'package/dist/lambda/python/bootstrap.py',
      'package/README.md',
    ]),
  );
  expect(files.filter((file) => /\.ts$/.test(file) && !file.endsWith('.d.ts'))).toEqual([]);
});

it(`refuses Node.js ${NODE_TOO_OLD} in one line that says what it lacks`, async () => {
  const bin = join(project, 'node_modules', '.bin', 'sam-local-runtime');
  const refused = await run(bin, ['start'], project, userEnv(nodes['too-old'] ?? ''));
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(
    new RegExp(
      `^sam-local-runtime needs Node.js ${oldest[1]}\\.${oldest[2]} or later .*; this is v${NODE_TOO_OLD}\\. Older releases lack`,
    ),
  );
});

it("type-checks the project's .ts files against the package's declarations, libraries' included", async () => {
  // The fixture's tsconfig leaves skipLibCheck off: a declaration that needs a type package the install lacks fails.
  const tsc = join(project, 'node_modules', 'typescript', 'bin', 'tsc');
  const checked = await run(NODE_24, [tsc, '-p', 'tsconfig.json'], project, userEnv(NODE_24));
  expect(checked.stdout + checked.stderr).toBe('');
  expect(checked.code).toBe(0);
}, 120_000);

describe.each(['22', '24'])('installed in a new project, on Node.js %s', (major) => {
  const node = () => nodes[major] ?? '';

  it('runs the CLI: JavaScript, CommonJS, TypeScript/esbuild and Python functions behind Api and HttpApi events', async () => {
    // On Node.js 24 the project's own page, a TypeScript file, comes too (--routes); Node.js 22.12 strips no types.
    const started = await startCli(project, node(), major === '24' ? ['--routes', 'routes.ts'] : []);
    try {
      expect(started.output()).toContain(`Functions on this Node.js (v${major === '22' ? NODE_22 : major}`);
      const hello = await call(`${urlOf(started.info, 'REST')}/hello`);
      expect(hello.status).toBe(200);
      // The SDK is not in hello-world/: the runtime provides it, and it reaches the local SQS.
      expect(hello.json()).toMatchObject({ message: 'hello world', path: '/hello', queues: 0 });
      const typescript = await call(`${urlOf(started.info, 'HTTP')}/hello-ts`);
      expect(typescript.status).toBe(200);
      expect(typescript.json()).toEqual({ message: 'hello typescript', path: '/hello-ts' });
      const commonJs = await call(`${urlOf(started.info, 'HTTP')}/hello-cjs`);
      expect(commonJs.status).toBe(200);
      expect(commonJs.json()).toEqual({ message: 'hello commonjs', sdk: 'function' });
      // The Python bootstrap, a file beside the built JavaScript, runs python3.x functions on the host's Python.
      const python = await call(`${urlOf(started.info, 'HTTP')}/hello-python`);
      expect(python.status).toBe(200);
      expect(python.json()).toEqual({ message: 'hello python', path: '/hello-python' });
      if (major === '22') {
        // nodejs24.x on Node.js 22: the banner says what the host cannot give.
        expect(started.output()).toMatch(
          /nodejs24\.x \(HelloTypeScriptFunction\): nodejs24\.x's handler contract, on Node\.js v22\.\d+\.\d+: what Node\.js 24 added is missing here \(RegExp\.escape, /,
        );
      } else {
        expect(started.output()).toMatch(
          /nodejs22\.x \(HelloWorldFunction\): nodejs22\.x's handler contract, on Node\.js v24/,
        );
        const page = await call(`${started.info.restUrl}/_local/hello-page`);
        expect(page.json()).toEqual({ apis: 2 });
      }
      expect(started.output()).not.toContain('Not run locally');
    } finally {
      started.child.kill('SIGTERM');
      await started.exited;
    }
    expect(started.output()).not.toMatch(/ERR_|TypeError|SyntaxError/);
  }, 120_000);

  it('runs the programmatic API from an .mjs file', async () => {
    const ran = succeeded('node api.mjs', await run(node(), ['api.mjs'], project, userEnv(node())));
    expect(JSON.parse(ran.stdout)).toMatchObject({ status: 200, body: { message: 'hello world', queues: 0 } });
  }, 120_000);

  it('runs a type-checked .ts file with the programmatic API', async () => {
    // Node.js 22.12 to 22.17 strip types only when asked.
    const flags = major === '22' ? ['--experimental-strip-types', '--no-warnings=ExperimentalWarning'] : [];
    const ran = succeeded('node api.ts', await run(node(), [...flags, 'api.ts'], project, userEnv(node())));
    expect(JSON.parse(ran.stdout)).toEqual({ status: 200, body: { message: 'hello typescript', path: '/hello-ts' } });
  }, 120_000);

  if (major === '22') {
    it('says why a TypeScript --routes file cannot load where Node.js strips no types', async () => {
      const bin = join(project, 'node_modules', '.bin', 'sam-local-runtime');
      const refused = await run(bin, ['start', '--routes', 'routes.ts', '--port', '0'], project, userEnv(node()));
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `--routes routes.ts: a TypeScript file, and Node.js v${NODE_22} does not strip types (22.18 and later do; 22.12 to 22.17 with NODE_OPTIONS=--experimental-strip-types)`,
      );
    });
  }
});
