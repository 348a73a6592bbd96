import { createSocket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaRuntime } from '../../src/lambda/lambda-runtime.ts';
import { describeEmf, parseEmf } from '../../src/metrics/emf.ts';
import { MetricStore } from '../../src/metrics/metric-store.ts';
import { eventually } from '../../src/testing/eventually.ts';
import { continueTrace, currentTraceHeader, runInTrace, span } from '../../src/traces/trace-context.ts';
import { formatTraceHeader, newTraceId, parseTraceHeader } from '../../src/traces/trace-header.ts';
import { TraceStore } from '../../src/traces/trace-store.ts';
import { waterfallOf } from '../../src/traces/waterfall.ts';
import { startXrayDaemon } from '../../src/traces/xray-daemon.ts';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';

describe('the X-Ray trace header', () => {
  it('reads and writes Root, Parent and Sampled, and refuses a header without a valid root', () => {
    expect(parseTraceHeader(`Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a:1`)).toEqual({
      root: ROOT,
      parent: '53995c3f42cd8ad8',
      sampled: true,
    });
    expect(parseTraceHeader('Root=nope')).toBeUndefined();
    expect(formatTraceHeader({ root: ROOT, parent: '53995c3f42cd8ad8', sampled: false })).toBe(
      `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=0`,
    );
    expect(newTraceId(0x5759e988 * 1000)).toMatch(/^1-5759e988-[0-9a-f]{24}$/);
  });

  it('passes through async calls: a span hangs under the active one, and calls made inside carry it', async () => {
    const store = new TraceStore();
    const header = await continueTrace(`Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`, store, () =>
      span('step', async () => currentTraceHeader()),
    );
    const [step] = store.get(ROOT)?.spans ?? [];
    expect(step).toMatchObject({ name: 'step', parentId: '53995c3f42cd8ad8', source: 'runtime' });
    expect(step?.end).toBeGreaterThanOrEqual(step?.start ?? Infinity);
    expect(header).toBe(`Root=${ROOT};Parent=${step?.id};Sampled=1`);
  });
});

describe('the local X-Ray daemon', () => {
  it('keeps the segment documents of the datagrams the SDKs send, nested subsegments as spans of their own', async () => {
    const store = new TraceStore();
    const daemon = await startXrayDaemon(store);
    const [host, port] = daemon.address.split(':');
    const socket = createSocket('udp4');
    const send = (text: string) =>
      new Promise<void>((resolve) => socket.send(Buffer.from(text), Number(port), host, () => resolve()));
    const document = {
      id: '70de5b6f19ff9a0a',
      trace_id: ROOT,
      parent_id: '53995c3f42cd8ad8',
      type: 'subsegment',
      name: '## handler',
      start_time: 1_465_508_008.1,
      end_time: 1_465_508_008.3,
      annotations: { orderId: 'ord_1' },
      subsegments: [
        {
          id: '70de5b6f19ff9a0b',
          name: 'SFN',
          namespace: 'aws',
          start_time: 1_465_508_008.15,
          end_time: 1_465_508_008.2,
        },
      ],
    };
    try {
      await send(`{"format":"json","version":1}\n${JSON.stringify(document)}`);
      await send('not the protocol');
      expect(await eventually(() => daemon.dropped === 1 && (store.get(ROOT)?.spans.length ?? 0) === 2, 5000)).toBe(
        true,
      );
    } finally {
      socket.close();
      await daemon.close();
    }
    const rows = waterfallOf(store.get(ROOT) ?? { traceId: ROOT, spans: [] }).rows;
    expect(rows.map((row) => [row.name, row.depth, row.kind])).toEqual([
      ['## handler', 0, 'subsegment'],
      ['SFN', 1, 'aws'],
    ]);
    expect(rows[0]?.durationMs).toBeCloseTo(200, 3);
    expect(rows[1]?.offsetMs).toBeCloseTo(50, 3);
    expect(rows[0]?.annotations).toEqual({ orderId: 'ord_1' });
  });
});

describe('a function invocation in a trace', () => {
  it("gets _X_AMZN_TRACE_ID per invocation, whose Parent is the function's own segment", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trace-fn-'));
    const bundle = join(dir, 'index.mjs');
    writeFileSync(bundle, 'export const handler = async () => process.env._X_AMZN_TRACE_ID ?? null;\n');
    const runtime = new LambdaRuntime([
      {
        logicalId: 'EchoFunction',
        name: 'echo',
        arn: 'arn:aws:lambda:eu-west-1:123456789012:function:echo',
        handler: 'index.handler',
        bundle,
        runtime: 'nodejs24.x',
        timeoutSeconds: 10,
        memoryMB: 128,
        environment: {},
      },
    ]);
    try {
      const store = new TraceStore();
      const outcome = await runInTrace({ traceId: ROOT, parentId: '53995c3f42cd8ad8', sampled: true, store }, () =>
        runtime.invoke('EchoFunction', {}),
      );
      const [fn] = store.get(ROOT)?.spans ?? [];
      expect(fn).toMatchObject({ name: 'echo', origin: 'AWS::Lambda::Function', parentId: '53995c3f42cd8ad8' });
      expect(fn?.annotations).toEqual({ ColdStart: true });
      expect(outcome).toMatchObject({ status: 'ok', result: `Root=${ROOT};Parent=${fn?.id};Sampled=1` });
      // Outside any trace: a trace of its own, not sampled (a PassThrough function called by an untraced caller).
      const alone = await runtime.invoke('EchoFunction', {});
      expect(alone.status === 'ok' && alone.result).toMatch(
        /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/,
      );
    } finally {
      await runtime.close();
    }
  });
});

describe('embedded metric format', () => {
  const line = JSON.stringify({
    _aws: {
      Timestamp: 1_700_000_000_000,
      CloudWatchMetrics: [
        {
          Namespace: 'Shop',
          Dimensions: [['service'], ['service', 'channel']],
          Metrics: [
            { Name: 'Placed', Unit: 'Count' },
            { Name: 'Latency', Unit: 'Milliseconds' },
          ],
        },
      ],
    },
    service: 'shop',
    channel: 'web',
    Placed: 1,
    Latency: [12, 30],
  });

  it('reads each metric in each dimension set, array values included; other lines are not EMF', () => {
    const points = parseEmf(line) ?? [];
    expect(points.map((p) => [p.name, p.unit, p.values, p.dimensions])).toEqual([
      ['Placed', 'Count', [1], { service: 'shop' }],
      ['Placed', 'Count', [1], { service: 'shop', channel: 'web' }],
      ['Latency', 'Milliseconds', [12, 30], { service: 'shop' }],
      ['Latency', 'Milliseconds', [12, 30], { service: 'shop', channel: 'web' }],
    ]);
    expect(describeEmf(points)).toBe(
      '[metrics] Shop: Placed=1 Count {service=shop}; Latency=[12, 30] Milliseconds {service=shop}',
    );
    for (const other of ['{"level":"INFO","message":"x"}', 'plain text', '{"_aws": broken']) {
      expect(parseEmf(other)).toBeUndefined();
    }
  });

  it('keeps the latest value, count and sum of each series', () => {
    const store = new MetricStore();
    store.add('ShopFunction', parseEmf(line) ?? []);
    store.add('ShopFunction', parseEmf(line) ?? []);
    const latency = store.all().find((s) => s.name === 'Latency' && s.dimensions.channel === 'web');
    expect(latency).toMatchObject({ latest: 30, count: 4, sum: 84, source: 'ShopFunction' });
    expect(latency?.points).toHaveLength(4);
  });
});
