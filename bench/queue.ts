import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import autocannon from 'autocannon';
import { startSqsService } from 'sam-local-runtime';
import { startRuntimeChild } from './child.ts';

/**
 * `npm run bench:queue`: order events per second through `POST /v1/events` → local SQS → the real consumer, end to end,
 * beside the raw rate of the local SQS alone (SendMessage → ReceiveMessage → DeleteMessage with the AWS SDK), in one
 * run. BENCH_MESSAGES (default 3000) and BENCH_CONNECTIONS (default 32) change the load.
 */
const messages = Number(process.env.BENCH_MESSAGES ?? 3000);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);

interface Row {
  name: string;
  seconds: number;
  note: string;
}

const rawSqs = async (): Promise<Row> => {
  // The endpoint checks SigV4 signatures as the runtime's does: the client signs with the key it accepts.
  const key = { accessKeyId: 'AKIALOCALBENCH000000', secretAccessKey: 'local-bench-secret' };
  const service = await startSqsService({
    queues: [{ name: 'bench', properties: { VisibilityTimeout: 30 } }],
    region: 'us-east-1',
    accountId: '123456789012',
    auth: {
      credentials: [{ ...key, accountId: '123456789012', userName: 'bench' }],
      region: 'us-east-1',
      acceptAnySignature: false,
    },
  });
  const sqs = new SQSClient({ region: 'us-east-1', endpoint: service.url, credentials: key });
  const QueueUrl = `${service.url}/123456789012/bench`;
  const started = performance.now();
  let toSend = messages;
  let deleted = 0;
  const producer = async () => {
    while (toSend > 0) {
      toSend -= 1;
      await sqs.send(
        new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify({ n: toSend, pad: 'x'.repeat(200) }) }),
      );
    }
  };
  const consumer = async () => {
    while (deleted < messages) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      await Promise.all(
        Messages.map((message) =>
          sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle })),
        ),
      );
      deleted += Messages.length;
    }
  };
  await Promise.all([...Array.from({ length: connections / 2 }, producer), ...Array.from({ length: 5 }, consumer)]);
  const seconds = (performance.now() - started) / 1000;
  sqs.destroy();
  await service.close();
  return {
    name: 'local SQS alone: SendMessage → ReceiveMessage → DeleteMessage (SDK)',
    seconds,
    note: `${connections / 2} senders, 5 receivers`,
  };
};

const startRuntime = async (buildDir: string) => {
  const started = await startRuntimeChild(
    ['--template', 'bench/queue/template.yaml'],
    buildDir,
    /REST API \S+\s+(http:\/\/127\.0\.0\.1:\d+)\/bench/,
  );
  return { child: started.child, url: started.match[1] ?? '' };
};

const consumed = async (origin: string): Promise<number> => {
  const queues = (await (await fetch(`${origin}/_local/queues`)).json()) as { name: string; deleted: number }[];
  return (
    queues.find((queue) => queue.name.includes('OrderEventsQueue') && !queue.name.includes('DeadLetter'))?.deleted ?? 0
  );
};

const endToEnd = async (origin: string): Promise<Row[]> => {
  const body = JSON.stringify({
    orderId: 'ord_bench0000000000000000',
    type: 'order.shipped',
    occurredAt: '2026-11-25T10:00:00Z',
    detail: { carrier: 'bench' },
  });
  const post = {
    url: `${origin}/bench/v1/events`,
    method: 'POST' as const,
    body,
    headers: { 'Content-Type': 'application/json' },
    connections,
  };
  // Warm-up: cold starts of the consumer and JIT are not what is measured.
  await autocannon({ ...post, amount: 200 });
  while ((await consumed(origin)) < 200) await new Promise((resolve) => setTimeout(resolve, 50));
  const before = await consumed(origin);
  const started = performance.now();
  const result = await autocannon({ ...post, amount: messages });
  const accepted = (performance.now() - started) / 1000;
  while ((await consumed(origin)) - before < messages) await new Promise((resolve) => setTimeout(resolve, 20));
  const seconds = (performance.now() - started) / 1000;
  const failed = result.non2xx + result.errors + result.timeouts;
  return [
    {
      name: 'POST /v1/events accepted (gateway → SQS integration)',
      seconds: accepted,
      note: `${failed} non-2xx/errors`,
    },
    { name: 'POST /v1/events → consumer done (end to end)', seconds, note: 'batches of 10, window 1 s, 5 pollers' },
  ];
};

const buildDir = mkdtempSync(join(tmpdir(), 'bench-queue-'));
const runtime = await startRuntime(buildDir);
try {
  const rows = [await rawSqs(), ...(await endToEnd(runtime.url))];
  const base = rows[0] as Row;
  const header = ['path', 'messages', 'seconds', 'msg/s', 'vs raw SQS', 'note'];
  const lines = rows.map((row) => [
    row.name,
    String(messages),
    row.seconds.toFixed(2),
    (messages / row.seconds).toFixed(0),
    `${((base.seconds / row.seconds) * 100).toFixed(0)}%`,
    row.note,
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...lines].map((line) => (line[i] ?? '').length)));
  console.log(`${messages} messages, ${connections} connections, Node ${process.version}\n`);
  for (const line of [header, ...lines]) {
    console.log(
      line
        .map((cell, i) => (i === 0 || i === 5 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join('  '),
    );
  }
} finally {
  runtime.child.kill('SIGTERM');
  rmSync(buildDir, { recursive: true, force: true });
}
