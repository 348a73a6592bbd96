import { type Exchange, headerOf, randomText } from '../../gateway/exchange.ts';
import type { IntegrationResult } from '../../gateway/integrations/result.ts';

/**
 * The trace header of an integration's answer (and of the request an HTTP integration sends its back end): the
 * client's, kept whole when it names a Parent, else its Root with a Parent of the gateway's own (recording
 * test_apigateway_common.py::TestApiGatewayCommon::test_invocation_trace_id, "trace-id-req-headers-AWS_PROXY",
 * "trace-id-small-req-headers-AWS_PROXY"). Answers of Lambda (proxy or not), AWS service and HTTP integrations carry
 * it, a MOCK's does not (the same recording's "normal-req-headers-MOCK"; test_apigateway_http.py's
 * "http-invocation-lambda-url"; test_apigateway_dynamodb.py::test_rest_api_to_dynamodb_integration "result-put-item";
 * test_apigateway_integrations.py::TestApiGatewayHeaderRemapping "no-param-integration" of [HTTP] and [AWS]); an
 * HTTP_PROXY's answer carries its back end's.
 */
export const integrationTraceHeader = (exchange: Exchange): string => {
  const sent = headerOf(exchange.request, 'x-amzn-trace-id') ?? '';
  if (/(^|;)\s*Parent=/.test(sent)) return sent;
  const root = /(?:^|;)\s*(Root=[^;]+)/.exec(sent)?.[1];
  return `${root ?? sent};Parent=${randomText(8, 'hex')};Sampled=0`;
};

/** The answer with the gateway's trace header (`trace`, else a new one), unless its mapping set one. */
export const withTraceHeader = (
  exchange: Exchange,
  result: IntegrationResult,
  trace: string = integrationTraceHeader(exchange),
): IntegrationResult => {
  if (Object.keys(result.headers).some((name) => name.toLowerCase() === 'x-amzn-trace-id')) return result;
  return { ...result, headers: { ...result.headers, 'X-Amzn-Trace-Id': trace } };
};
