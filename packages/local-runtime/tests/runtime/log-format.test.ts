import { stripVTControlCharacters } from 'node:util';
import { createRuntimeLog } from '../../src/runtime/log-format.ts';

const capture = (format: 'text' | 'json', color = false) => {
  const lines: string[] = [];
  const log = createRuntimeLog({ format, color, write: (text) => lines.push(text) });
  return { log, lines };
};

const denied = {
  method: 'GET',
  url: '/dev/items',
  status: 403,
  latencyMs: 1.23,
  integration: 'lambda-proxy',
  reason: 'INVALID_API_KEY: no x-api-key header',
};

describe('runtime log lines', () => {
  it('names the function and its request id on the lines it writes, with the level Lambda gave them', () => {
    const { log, lines } = capture('text');
    log.functionLine(
      'OrdersFunction',
      '2026-12-03T06:00:00.000Z\tc0ffee00-1111-2222-3333-444455556666\tWARN\tlow stock',
    );
    log.functionLine('OrdersFunction', 'raw stdout');
    expect(lines).toEqual(['[OrdersFunction c0ffee00] WARN low stock\n', '[OrdersFunction] raw stdout\n']);
  });

  it('colours only when asked, and keeps the text', () => {
    const { log, lines } = capture('text', true);
    log.request(denied);
    expect(lines[0]).not.toBe(stripVTControlCharacters(lines[0] ?? ''));
    expect(stripVTControlCharacters(lines[0] ?? '')).toBe(
      'GET /dev/items 403 1.2 ms lambda-proxy — INVALID_API_KEY: no x-api-key header\n',
    );
  });

  it('writes one JSON object per line for machines', () => {
    const { log, lines } = capture('json');
    log.request(denied);
    log.line('[sqs] orders → Consumer: 10 records, 0 failed');
    log.functionLine('OrdersFunction', '2026-12-03T06:00:00.000Z\tabc\tINFO\thello');
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      {
        time: expect.any(String),
        source: 'api',
        method: 'GET',
        url: '/dev/items',
        status: 403,
        latencyMs: 1.2,
        integration: 'lambda-proxy',
        reason: 'INVALID_API_KEY: no x-api-key header',
      },
      { time: expect.any(String), source: 'sqs', message: 'orders → Consumer: 10 records, 0 failed' },
      {
        time: expect.any(String),
        source: 'function',
        function: 'OrdersFunction',
        requestId: 'abc',
        level: 'INFO',
        message: 'hello',
      },
    ]);
  });
});
