import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueUrlCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '../../src/testing/eventually.ts';
import { call } from '../../src/testing/harness.ts';
import { signedHeaders } from '../../src/testing/sign.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * EventBridge, black-box: the runtime runs tests/fixtures/eventbridge/template.yaml; events are put through a REST
 * API AWS integration, an HTTP API EventBridge-PutEvents integration, a function's SDK client and the endpoint itself,
 * and arrive (or not) in the local queue and, through the function the rule invokes, in the local table.
 */
describe('EventBridge', () => {
  // Delivery retries 1 s and 2 s apart take 10 and 20 ms.
  const runtime = fixtureRuntime('eventbridge', ['--time-scale', '0.01']);
  let events: EventBridgeClient;
  let sqs: SQSClient;
  let lambda: LambdaClient;
  let queueUrl: string;
  let rest: string;
  let http: string;
  const received: Message[] = [];

  beforeAll(async () => {
    events = new EventBridgeClient(runtime.clientConfig('eventbridge'));
    sqs = new SQSClient(runtime.clientConfig('sqs'));
    lambda = new LambdaClient(runtime.clientConfig('lambda'));
    queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'shipping' }))).QueueUrl ?? '';
    const urlOf = (logicalId: string) => {
      const api = runtime.info.apis.find((candidate) => candidate.logicalId === logicalId);
      if (!api) throw new Error(`${logicalId} is not served:\n${runtime.output()}`);
      return api.url;
    };
    rest = urlOf('OrdersApi');
    http = urlOf('OrdersHttpApi');
  }, 120_000);

  afterAll(async () => {
    events?.destroy();
    sqs?.destroy();
    lambda?.destroy();
  });

  /** Shipping messages until one holds `orderId` (every message received is kept, to check none other came). */
  const shipped = async (orderId: string): Promise<Record<string, unknown> | undefined> => {
    const find = () => received.find((message) => JSON.parse(message.Body ?? '{}').orderId === orderId);
    await eventually(async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      received.push(...Messages);
      return find() !== undefined;
    }, 5000);
    const message = find();
    return message ? (JSON.parse(message.Body ?? '{}') as Record<string, unknown>) : undefined;
  };

  const recorded = async (id: string) => {
    let item: Record<string, unknown> | undefined;
    await eventually(async () => {
      const items = await runtime.tableItems();
      item = items.find((candidate) => candidate.id?.S === id);
      return item !== undefined;
    }, 5000);
    return item;
  };

  it('names at start-up what it does not run (the dead-letter queue) and how the schedule fires', () => {
    expect(runtime.output()).toMatch(
      /\[schedules\] \S*NightlyReport\S* rate\(1 day\) → \S*RecordFunction\S*: fire it with POST \/_local\/schedules\//,
    );
    expect(runtime.output()).toMatch(/\[events\] NightlyReport target nightly: DeadLetterConfig is not run/);
    expect(runtime.output()).not.toMatch(/RecordFunction\.Events\.VipPlaced \(EventBridgeRule\): not run/);
    // The banner lists the rules, each with what it sends to.
    expect(runtime.output()).toMatch(/EventBridge rules \(GET \S+\/_local\/events/);
    expect(runtime.output()).toMatch(/orders\s+\S*ShipLargeOrders\S*\s+→ shipping\n/);
    expect(runtime.output()).toMatch(/orders\s+\S*RecordFunctionVipPlaced\S*\s+→ \S*RecordFunction/);
    expect(runtime.output()).toMatch(/orders\s+\S*PausedRule\S*\s+DISABLED/);
  });

  it('a REST API AWS integration (events:action/PutEvents) puts the event; the matching rule sends its detail to the queue', async () => {
    const order = { orderId: 'rest-1', customer: 'ann', total: 150 };
    const answer = await call(`${rest}/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(order),
    });
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({ eventId: expect.stringMatching(/^[0-9a-f-]{36}$/), failed: 0 });
    expect(await shipped('rest-1')).toEqual(order);
    expect(
      await runtime.waitForOutput(/\[events\] \S*ShipLargeOrders\S* → shipping \(arn:aws:sqs:\S+:shipping\): event /),
    ).toBe(true);
  });

  it('an HTTP API EventBridge-PutEvents integration puts the event; the SAM EventBridgeRule runs the function with the transformed input', async () => {
    const answer = await call(`${http}/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'OrderPlaced', order: { orderId: 'http-1', customer: 'vip-bo', total: 20 } }),
    });
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({ FailedEntryCount: 0, Entries: [{ EventId: expect.any(String) }] });
    const item = await recorded('http-1');
    expect(item).toMatchObject({ who: { S: 'customer vip-bo' } });
    expect(JSON.parse(String((item?.input as { S?: string } | undefined)?.S))).toEqual({
      id: 'http-1',
      who: 'customer vip-bo',
    });
  });

  it('a function puts events with the AWS SDK (AWS_ENDPOINT_URL_EVENTBRIDGE); Ref of the SAM-generated rule is <bus>|<name>', async () => {
    const invoked = await lambda.send(
      new InvokeCommand({
        FunctionName: 'PublishFunction',
        Payload: JSON.stringify({ orderId: 'sdk-1', customer: 'vip-cy', total: 500 }),
      }),
    );
    const output = JSON.parse(Buffer.from(invoked.Payload ?? []).toString()) as Record<string, string | number>;
    expect(output).toMatchObject({ failed: 0, eventId: expect.any(String) });
    expect(output.placedRule).toMatch(/^orders\|.*RecordFunctionVipPlaced/);
    // Both rules match: the queue gets the detail, the function its transformed input.
    expect(await shipped('sdk-1')).toEqual({ orderId: 'sdk-1', customer: 'vip-cy', total: 500 });
    expect(await recorded('sdk-1')).toMatchObject({ who: { S: 'customer vip-cy' } });
    const rule = String(output.placedRule).split('|')[1];
    const described = await events.send(new DescribeRuleCommand({ Name: rule, EventBusName: 'orders' }));
    expect(described).toMatchObject({ Name: rule, EventBusName: 'orders', State: 'ENABLED' });
  });

  it('an event no enabled rule matches is delivered nowhere; the disabled rule gets nothing', async () => {
    const small = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'orders',
            Source: 'shop.orders',
            DetailType: 'OrderPlaced',
            Detail: JSON.stringify({ orderId: 'none-1', customer: 'dee', total: 5 }),
          },
        ],
      }),
    );
    const smallId = small.Entries?.[0]?.EventId;
    expect(
      await runtime.waitForOutput(new RegExp(`event ${smallId} \\(shop.orders / OrderPlaced\\) on orders: no rule`)),
    ).toBe(true);
    // One that matches, put after it: once it has arrived, the earlier one has had its chance.
    await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'orders',
            Source: 'shop.orders',
            DetailType: 'OrderPlaced',
            Detail: JSON.stringify({ orderId: 'after-1', customer: 'dee', total: 100 }),
          },
        ],
      }),
    );
    expect(await shipped('after-1')).toBeDefined();
    const bodies = received.map((message) => message.Body);
    expect(bodies.some((body) => body?.includes('none-1'))).toBe(false);
    expect(bodies.some((body) => body?.includes('paused'))).toBe(false);
    const page = (await call(`${runtime.info.restUrl}/_local/events`)).json() as {
      events: { id: string; matched: { rule: string }[] }[];
    };
    expect(page.events.find((event) => event.id === smallId)?.matched).toEqual([]);
    // An event on the default bus does not reach the orders bus's rules.
    await events.send(
      new PutEventsCommand({
        Entries: [{ Source: 'shop.orders', DetailType: 'OrderPlaced', Detail: '{"orderId":"default-1","total":999}' }],
      }),
    );
    expect(await runtime.waitForOutput(/on default: no rule matched/)).toBe(true);
  });

  it('SqsParameters.MessageGroupId puts the event in that group of a FIFO queue', async () => {
    await events.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: 'orders', Source: 'shop', DetailType: 'ExpressPlaced', Detail: '{"orderId":"x-1"}' }],
      }),
    );
    const express = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'express.fifo' }))).QueueUrl;
    let message: Message | undefined;
    await eventually(async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: express, MessageSystemAttributeNames: ['MessageGroupId'] }),
      );
      message = Messages[0];
      return message !== undefined;
    }, 5000);
    expect(message?.Attributes?.MessageGroupId).toBe('express');
    expect(JSON.parse(message?.Body ?? '{}')).toMatchObject({
      'detail-type': 'ExpressPlaced',
      detail: { orderId: 'x-1' },
    });
  });

  it("a state machine's EventBridgeRule event starts an execution with what InputPath selects", async () => {
    await events.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'orders', Source: 'shop', DetailType: 'OrderCancelled', Detail: '{"orderId":"c-1"}' },
        ],
      }),
    );
    const executions = async () =>
      (await call(`${runtime.info.restUrl}/_local/executions`)).json() as unknown as {
        stateMachineArn: string;
        input: string;
      }[];
    expect(
      await eventually(async () =>
        (await executions()).some(
          (execution) => execution.stateMachineArn.endsWith(':cancel-order') && execution.input === '{"orderId":"c-1"}',
        ),
      ),
    ).toBe(true);
    expect(await runtime.waitForOutput(/→ CancelWorkflowCancelledStepFunctionsTarget \(arn:aws:states:/)).toBe(true);
  });

  it('a CloudWatchEvent function event on the default bus sends its constant Input', async () => {
    await events.send(
      new PutEventsCommand({ Entries: [{ Source: 'legacy.app', DetailType: 'Anything', Detail: '{"x":1}' }] }),
    );
    expect(await recorded('legacy')).toMatchObject({ who: { S: 'a constant input' } });
  });

  it('a target that cannot take the event is retried, then logged as not delivered; the runtime goes on', async () => {
    const put = await events.send(
      new PutEventsCommand({ Entries: [{ EventBusName: 'orders', Source: 'test', DetailType: 'Lost', Detail: '{}' }] }),
    );
    const id = put.Entries?.[0]?.EventId;
    expect(
      await runtime.waitForOutput(
        new RegExp(`→ nowhere \\(arn:aws:sqs:\\S+:not-in-this-template\\): event ${id} not delivered after 3 tries`),
        5000,
      ),
    ).toBe(true);
    const page = (await call(`${runtime.info.restUrl}/_local/events`)).json() as {
      events: { id: string; matched: { targets: { state: string; error?: string }[] }[] }[];
    };
    expect(page.events.find((event) => event.id === id)?.matched[0]?.targets[0]).toMatchObject({
      state: 'failed',
      error: expect.stringContaining('does not exist'),
    });
    expect(runtime.exited()).toBe(false);
  });

  it('answers bad PutEvents as EventBridge does: 11 entries refused whole, a bad entry failed alone', async () => {
    const entry = { EventBusName: 'orders', Source: 'test', DetailType: 'Test', Detail: '{}' };
    await expect(
      events.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry) })),
    ).rejects.toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    const mixed = await events.send(
      new PutEventsCommand({
        Entries: [
          { ...entry, Detail: 'not json' },
          entry,
          { ...entry, Detail: '["an array"]' },
          { EventBusName: 'orders', Source: 'test', Detail: '{}' },
          { ...entry, Source: 'aws.s3' },
        ],
      }),
    );
    expect(mixed.FailedEntryCount).toBe(4);
    expect(mixed.Entries).toEqual([
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { EventId: expect.any(String) },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
      },
      { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' },
    ]);
    const big = { ...entry, Detail: JSON.stringify({ text: 'x'.repeat(300 * 1024) }) };
    await expect(events.send(new PutEventsCommand({ Entries: [big] }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('answers the read operations a user debugging calls, and TestEventPattern with the same matcher', async () => {
    const buses = await events.send(new ListEventBusesCommand({}));
    expect(buses.EventBuses?.map((bus) => bus.Name)).toEqual(['default', 'orders']);
    const rules = await events.send(new ListRulesCommand({ EventBusName: 'orders' }));
    expect(rules.Rules?.map((rule) => rule.State)).toEqual([
      'ENABLED',
      'ENABLED',
      'DISABLED',
      'ENABLED',
      'ENABLED',
      'ENABLED',
    ]);
    const ship = rules.Rules?.find((rule) => rule.Name?.includes('ShipLargeOrders'));
    expect(ship?.Arn).toMatch(/^arn:aws:events:[^:]+:\d{12}:rule\/orders\//);
    const targets = await events.send(new ListTargetsByRuleCommand({ Rule: ship?.Name, EventBusName: 'orders' }));
    expect(targets.Targets).toEqual([expect.objectContaining({ Id: 'shipping', InputPath: '$.detail' })]);
    await expect(events.send(new DescribeRuleCommand({ Name: 'nope', EventBusName: 'orders' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    const event = JSON.stringify({
      id: '1',
      account: '123456789012',
      source: 'shop.orders',
      time: '2026-01-01T00:00:00Z',
      region: 'us-east-1',
      resources: [],
      'detail-type': 'OrderPlaced',
      detail: { total: 120 },
    });
    const test = (pattern: unknown) =>
      events.send(new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: event }));
    expect((await test({ detail: { total: [{ numeric: ['>', 100] }] } })).Result).toBe(true);
    expect((await test({ source: [{ 'anything-but': 'shop.orders' }] })).Result).toBe(false);
    await expect(test({ source: 'not a list' })).rejects.toMatchObject({ name: 'InvalidEventPatternException' });
  });

  it('refuses an unknown operation and an unsigned request as AWS JSON endpoints do', async () => {
    const url = runtime.serviceUrl('eventbridge');
    const body = '{}';
    const headers = {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AWSEvents.DeleteEverything',
    };
    const unknown = await call(url, {
      method: 'POST',
      body,
      headers: await signedHeaders(url, runtime.info.credentials, runtime.info.region, 'POST', body, {
        service: 'events',
        headers,
      }),
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json().__type).toBe('UnknownOperationException');
    const unsigned = await call(url, { method: 'POST', body, headers });
    expect(unsigned.status).toBe(400);
    expect(unsigned.json().__type).toBe('MissingAuthenticationTokenException');
  });
});
