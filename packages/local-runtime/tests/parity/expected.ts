/**
 * The recordings the runtime matches, as `test "key"`: the suite fails when one of them stops matching. A recording
 * that starts to match is reported, to be added here.
 */
export const EXPECTED_TO_MATCH = new Set<string>([
  'test_aws_proxy_response_payload_format_validation "invoke-api-with-headers"',
  'test_aws_proxy_response_payload_format_validation "invoke-api-with-headers-null"',
  'test_aws_proxy_response_payload_format_validation "invoke-api-wrong-format"',
  'test_aws_proxy_response_payload_format_validation "invoke-api-multi-headers-valid"',
  'test_aws_proxy_response_payload_format_validation "invoke-api-multi-headers-overwrite"',
  'test_aws_proxy_response_payload_format_validation "invoke-api-multi-headers-overwrite-casing"',
  'test_aws_proxy_response_payload_format_validation "invoke-api-only-headers"',
  'test_lambda_aws_proxy_integration_non_post_method "invocation-payload-with-get-proxy-method"',
  'test_invocation_trace_id "normal-req-headers-AWS_PROXY"',
  'test_lambda_aws_proxy_integration "invocation-payload-without-trailing-slash"',
  'test_lambda_aws_proxy_integration "invocation-payload-with-trailing-slash"',
  'test_lambda_aws_proxy_integration "invocation-payload-with-double-slash"',
  'test_lambda_aws_proxy_integration "invocation-payload-with-prepended-slash-to-stage"',
  'test_lambda_aws_proxy_integration "invocation-payload-with-prepended-slash"',
  'test_lambda_aws_proxy_integration "invocation-payload-without-trailing-slash-and-query-params"',
  'test_lambda_aws_proxy_integration "invocation-payload-with-trailing-slash-and-query-params"',
  'test_lambda_aws_proxy_integration "invocation-payload-with-path-encoded-email"',
  'test_lambda_aws_proxy_integration "invocation-payload-with-params-encoding"',
  'test_lambda_aws_proxy_integration "invocation-payload-with-params-encoding-multi"',
  'test_lambda_aws_proxy_integration "invocation-hardcoded"',
  'test_lambda_aws_proxy_integration_request_data_mapping "http-proxy-invocation-data-mapping"',
  'test_aws_proxy_response_payload_format_validation "invoke-api-no-body"',
  'test_aws_proxy_response_payload_format_validation "invoke-api-empty-response"',
  'test_aws_proxy_response_payload_format_validation "invoke-api-b64-encoded-false"',
  'test_aws_proxy_response_payload_format_validation "invoke-api-multi-headers-invalid"',
  'test_aws_proxy_response_payload_format_validation "invoke-api-invalid-status-code"',
  'test_aws_proxy_response_payload_format_validation "invoke-api-status-code-str"',
  'test_aws_proxy_response_payload_format_validation "invoke-api-just-string"',
  'test_invocation_trace_id "normal-req-headers-MOCK"',
  'test_invocation_trace_id "trace-id-req-headers-MOCK"',
  'test_invocation_trace_id "trace-id-req-headers-AWS_PROXY"',
  'test_invocation_trace_id "trace-id-small-req-headers-AWS_PROXY"',
  'test_aws_proxy_response_payload_format_validation "invoke-api-b64-encoded-true"',
]);

/** Why each recording that does not match yet does not (printed beside it). */
export const KNOWN_MISMATCHES: Record<string, string> = {};
