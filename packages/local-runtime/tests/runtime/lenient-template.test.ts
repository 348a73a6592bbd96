import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { call, startRuntime } from '../../src/testing/index.ts';
import { runCommand } from '../lambda-api/start-lambda-process.ts';

/**
 * A template CloudFormation refuses for reasons that touch nothing served starts, each problem named; `--strict`
 * refuses it as CloudFormation would.
 */
const FIXTURE = fileURLToPath(new URL('../fixtures/lenient-template/template.yaml', import.meta.url));

it('starts, serves what it can and names each problem at start-up', async () => {
  const runtime = await startRuntime(['--template', FIXTURE]);
  try {
    const answer = await call(`${runtime.info.restUrl}/Prod/hello`);
    expect({ status: answer.status, body: answer.json() }).toEqual({ status: 200, body: { hello: 'served' } });
    const domainAnswer = await call(`${runtime.info.restUrl}/dev/`);
    expect({ status: domainAnswer.status, body: domainAnswer.json() }).toEqual({
      status: 200,
      body: { domain: 'served' },
    });
    const output = runtime.output();
    expect(output).toMatch(/\[template\] Parameter AlertEmail has no value/);
    // Properties the runtime never reads (a custom domain, a function's role) are left out, and named.
    expect(output).toMatch(/\[template\] DomainApi\.Domain: Parameter 'DomainName' has no value.*left out/);
    expect(output).toMatch(/\[template\] HelloFunction\.Role: Parameter 'RoleArn' has no value.*left out/);
    expect(output).toMatch(/\[template\] AuditQueue: Condition IsProduction is not declared in Conditions/);
    expect(output).toMatch(
      /\[template\] Outputs\.DashboardUrl: Fn::Sub of \$\{Dashboard\}, which the template does not declare/,
    );
  } finally {
    await runtime.stop();
  }
}, 120_000);

it('--strict refuses the template, naming every problem', async () => {
  const started = startRuntime(['--template', FIXTURE, '--strict']);
  await expect(started).rejects.toThrow(/CloudFormation would refuse this template \(--strict\)/);
  await expect(started).rejects.toThrow(
    /Parameter AlertEmail has no value[\s\S]*AuditQueue[\s\S]*Outputs\.DashboardUrl/,
  );
}, 120_000);

const invoke = (args: string[]) =>
  runCommand([
    'invoke',
    'HelloFunction',
    '-t',
    FIXTURE,
    '--build-dir',
    mkdtempSync(join(tmpdir(), 'local-runtime-lenient-')),
    ...args,
  ]);

it('invoke runs the function of such a template, and refuses it with --strict', async () => {
  const lenient = await invoke([]);
  expect(lenient.code).toBe(0);
  expect(JSON.parse(lenient.stdout)).toMatchObject({ statusCode: 200 });
  const strict = await invoke(['--strict']);
  expect(strict.code).toBe(1);
  expect(strict.stderr).toMatch(/CloudFormation would refuse this template \(--strict\)/);
}, 120_000);
