import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventBridgeClient, ListRulesCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { watchedFixtureCopy } from '../fixture-runtime.ts';

/** A template change to the rules applies without a restart, as the APIs' and functions' changes do. */
let events: EventBridgeClient;
const { runtime, folder: copy } = watchedFixtureCopy('eventbridge');
beforeAll(() => {
  events = new EventBridgeClient(runtime.clientConfig('eventbridge'));
});

afterAll(() => {
  events?.destroy();
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
