import { send } from '../client.ts';
import type { Masks } from '../compare.ts';
import type { Scenario } from '../scenario.ts';

/** test_apigateway_common.py::TestApiGatewayCommon::test_invocation_trace_id: stage "dev", GET /path (MOCK), ANY /{proxy+}. */
const AREA = 'Trace id';
const FILE = 'test_apigateway_common';
const TEST = 'test_invocation_trace_id';
const FULL_TRACE = 'Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=7fa8c0f79203be72;Sampled=1';
const SMALL_TRACE = 'Root=1-3152b799-8954dae64eda91bc9a23a7e8';

/** key_value("date"/"content-length", reference_replacement=False); the test lower-cases the names itself. */
const MASKS: Masks = { anyValue: ['date', 'content-length'] };

const lowerCased = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));

/** The recording, plus what the test asserted about the trace header it got back. */
const traced = (key: string, path: string, sent: string | undefined, check?: (trace: string) => boolean): Scenario => ({
  area: AREA,
  id: { file: FILE, test: TEST, key },
  status: 200,
  masks: MASKS,
  run: async (bases) => {
    const answer = await send(bases.TraceApi as string, 'GET', `/dev${path}`, sent ? { 'x-amzn-trace-id': sent } : {});
    const headers = lowerCased(answer.headers);
    const trace = headers['x-amzn-trace-id'];
    if (check && !(trace && check(trace))) headers['x-amzn-trace-id'] = `not as the test asserts: ${trace}`;
    return { status: answer.status, value: headers };
  },
});

export const traceId: Scenario[] = [
  traced('normal-req-headers-MOCK', '/path', undefined),
  traced('trace-id-req-headers-MOCK', '/path', FULL_TRACE),
  traced('normal-req-headers-AWS_PROXY', '/proxy-value', undefined),
  // "assert full_trace in …" and the Parent kept.
  traced('trace-id-req-headers-AWS_PROXY', '/proxy-value', FULL_TRACE, (trace) => trace.includes(FULL_TRACE)),
  // The Root kept, a Parent of API Gateway's own added.
  traced('trace-id-small-req-headers-AWS_PROXY', '/proxy-value', SMALL_TRACE, (trace) => {
    const parts = trace.split(';');
    return (
      trace.includes(SMALL_TRACE) &&
      /^Parent=[0-9a-f]{16}$/.test(parts[1] ?? '') &&
      parts[1] !== 'Parent=7fa8c0f79203be72'
    );
  }),
];
