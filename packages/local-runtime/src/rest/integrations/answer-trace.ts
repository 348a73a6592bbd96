import { type Exchange, headerOf, randomText } from '../../gateway/exchange.ts';

/**
 * The trace header of an integration's answer (and of the request an HTTP integration sends its back end): the
 * client's, kept whole when it names a Parent, else its Root with a Parent of the gateway's own (recording
 * test_apigateway_common.py::TestApiGatewayCommon::test_invocation_trace_id, "trace-id-req-headers-AWS_PROXY",
 * "trace-id-small-req-headers-AWS_PROXY"). Lambda proxy, HTTP and HTTP_PROXY answers carry it, a MOCK's does not
 * (the same recording's "normal-req-headers-MOCK"; test_apigateway_http.py's "http-invocation-lambda-url").
 */
export const integrationTraceHeader = (exchange: Exchange): string => {
  const sent = headerOf(exchange.request, 'x-amzn-trace-id') ?? '';
  if (/(^|;)\s*Parent=/.test(sent)) return sent;
  const root = /(?:^|;)\s*(Root=[^;]+)/.exec(sent)?.[1];
  return `${root ?? sent};Parent=${randomText(8, 'hex')};Sampled=0`;
};
