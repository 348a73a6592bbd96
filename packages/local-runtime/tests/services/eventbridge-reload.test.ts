import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventBridgeClient, ListRulesCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { runtimeForSuite } from '../../src/testing/suite-runtime.ts';

/** A template change to the rules applies without a restart, as the APIs' and functions' changes do. */
let events: EventBridgeClient;
const copy = mkdtempSync(join(tmpdir(), 'eventbridge-fixture-'));
const FIXTURE = fileURLToPath(new URL('../fixtures/eventbridge', import.meta.url));

beforeAll(() => {
  cpSync(FIXTURE, copy, { recursive: true });
});
const runtime = runtimeForSuite(['--template', join(copy, 'template.yaml')], { watch: true });
beforeAll(() => {
  events = new EventBridgeClient(runtime.clientConfig('eventbridge'));
});

afterAll(() => {
  events?.destroy();
  rmSync(copy, { recursive: true, force: true });
});

it('reads the rules again when the template changes', async () => {
  const template = join(copy, 'template.yaml');
  writeFileSync(template, readFileSync(template, 'utf8').replace("numeric: ['>=', 100]", "numeric: ['>=', 1000]"));
  expect(
    await runtime.waitForOutput(
      /\[watch\] template\.yaml changed: reloaded .*EventBridge: \d+ rules on 2 buses reloaded/,
      60_000,
    ),
  ).toBe(true);
  const { Rules = [] } = await events.send(new ListRulesCommand({ EventBusName: 'orders' }));
  expect(Rules.find((rule) => rule.Name?.includes('ShipLargeOrders'))?.EventPattern).toContain('1000');
  const put = await events.send(
    new PutEventsCommand({
      Entries: [{ EventBusName: 'orders', Source: 'shop.orders', DetailType: 'OrderPlaced', Detail: '{"total":150}' }],
    }),
  );
  const id = put.Entries?.[0]?.EventId ?? '';
  expect(await runtime.waitForOutput(new RegExp(`event ${id} .* on orders: no rule matched`))).toBe(true);
}, 90_000);
