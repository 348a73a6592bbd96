import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from '@jest/globals';
import { runtimeForSuite } from '../../src/testing/index.ts';

/**
 * `--schedules run` over real sockets: a Scheduler `at()` schedule eight seconds after the test loads, room for a slow
 * start (at() counts seconds; rates and crons count minutes: schedule-runner.test.ts checks them with a moved clock).
 */
const folder = mkdtempSync(join(tmpdir(), 'schedules-clock-'));
const functions = fileURLToPath(new URL('../fixtures/schedules/functions/', import.meta.url));
const at = new Date(Date.now() + 8000).toISOString().slice(0, 19);
writeFileSync(
  join(folder, 'template.yaml'),
  `Transform: AWS::Serverless-2016-10-31
Resources:
  TickFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      Handler: tick.handler
      CodeUri: ${functions}
      Events:
        Soon:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: at(${at})
            Input: '{"on":"clock"}'
`,
);
const runtime = runtimeForSuite(['--template', join(folder, 'template.yaml'), '--schedules', 'run']);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

it('fires a one-time schedule when its time comes, with its Input', async () => {
  expect(runtime.output()).toMatch(new RegExp(`TickFunctionSoon at\\(${at}\\) → \\S+: next at ${at}\\.000Z`));
  expect(await runtime.waitForOutput(/RECEIVED \{"on":"clock"\}/, 30_000)).toBe(true);
  expect(runtime.output()).toMatch(/\[schedules\] TickFunctionSoon fired \(at\(/);
}, 40_000);
