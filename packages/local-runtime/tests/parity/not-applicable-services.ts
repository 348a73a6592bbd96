import type { Scenario } from './scenario.ts';

/**
 * The data-plane recordings of AWS service integrations to services the runtime does not run: an AWS integration to
 * them answers 501 locally (see rest/integrations/aws-service.ts HOSTED_SERVICES), so there is nothing to compare.
 * Their control-plane recordings (put-integration, get-integration, ...) are out of the suite's scope.
 */
const KINESIS =
  'the runtime runs no Kinesis endpoint (Kinesis Data Streams: PutRecord/PutRecords and the stream the test reads back)';
const S3 =
  'the runtime runs no S3 endpoint (Amazon S3: the objects the test puts and gets through the s3:path integration)';

const listed = (file: string, test: string, keys: string[], area: string, reason: string): Scenario[] =>
  keys.map((key) => ({ area, id: { file, test, key }, notApplicable: reason }));

const PUT_KEYS = ['put-obj-binary-raw', 'put-obj-binary-encoded', 'put-obj-text'];
const ACCEPT_BINARY = [
  'encoded-payload-text-accept-binary',
  'raw-payload-text-accept-binary',
  'text-payload-text-accept-binary',
];
const BINARY_PAYLOADS = [
  'encoded-payload-binary-accept-binary',
  'raw-payload-binary-accept-binary',
  'text-payload-binary-accept-binary',
];
const ACCEPT_TEXT = [
  'encoded-payload-text-accept-text',
  'raw-payload-text-accept-text',
  'text-payload-text-accept-text',
];
const BINARY_ACCEPT_TEXT = [
  'encoded-payload-binary-accept-text',
  'raw-payload-binary-accept-text',
  'text-payload-binary-accept-text',
];
const NO_MEDIA = ['text-no-media', 'raw-no-media', 'encoded-no-media'];
const S3_BINARY = 'TestApiGatewayS3BinarySupport::test_apigw_s3_binary_support';

export const UNHOSTED_SERVICES: Scenario[] = [
  ...['PutRecord', 'PutRecords'].flatMap((action) =>
    listed(
      'test_apigateway_kinesis',
      `test_apigateway_to_kinesis[${action}]`,
      ['apigateway_response', 'kinesis_records'],
      'Kinesis',
      KINESIS,
    ),
  ),
  ...listed(
    'test_apigateway_s3',
    `${S3_BINARY}_response_no_content_handling`,
    [...PUT_KEYS, ...NO_MEDIA, ACCEPT_BINARY[0] as string, ...BINARY_PAYLOADS, ...ACCEPT_TEXT, ...BINARY_ACCEPT_TEXT],
    'S3',
    S3,
  ),
  ...listed(
    'test_apigateway_s3',
    `${S3_BINARY}_response_convert_to_text`,
    [...PUT_KEYS, ...NO_MEDIA, ...ACCEPT_BINARY, ...BINARY_PAYLOADS, ...ACCEPT_TEXT, ...BINARY_ACCEPT_TEXT],
    'S3',
    S3,
  ),
  ...listed(
    'test_apigateway_s3',
    `${S3_BINARY}_response_convert_to_binary`,
    [
      ...PUT_KEYS,
      'encoded-no-media',
      ACCEPT_BINARY[0] as string,
      ...BINARY_PAYLOADS,
      ACCEPT_TEXT[0] as string,
      ...BINARY_ACCEPT_TEXT,
    ],
    'S3',
    S3,
  ),
  ...listed(
    'test_apigateway_s3',
    `${S3_BINARY}_response_convert_to_binary_with_request_template`,
    ['put-obj-encoded', 'encoded-text-payload-binary-accept'],
    'S3',
    S3,
  ),
];
