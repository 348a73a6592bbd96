import { join } from 'node:path';
import { expect, it } from '@jest/globals';
import { call } from '../../src/testing/harness.ts';
import { editFile, watchedFixtureCopy } from '../fixture-runtime.ts';

/** A template change to the schedules applies without a restart: the list and the firing follow it. */
const { runtime, folder: copy } = watchedFixtureCopy('schedules');

it('reads the schedules again when the template changes', async () => {
  editFile(join(copy, 'template.yaml'), (text) =>
    text.replace('Input: \'{"from":"scheduler"}\'', 'Input: \'{"from":"reloaded"}\''),
  );
  expect(await runtime.waitForOutput(/\[watch\] template\.yaml changed: reloaded .*EventBridge: /, 60_000)).toBe(true);
  const fired = await call(`${runtime.info.restUrl}/_local/schedules/TickFunctionHourly`, { method: 'POST' });
  expect(fired.status).toBe(202);
  expect(await runtime.waitForOutput(/RECEIVED \{"from":"reloaded"\}/, 10_000)).toBe(true);
}, 90_000);
