import type { Scenario } from './scenario.ts';

/**
 * The data-plane recordings of AWS service integrations to services the runtime does not run: an AWS integration to
 * them answers 501 locally (see rest/integrations/aws-service.ts HOSTED_SERVICES), so there is nothing to compare.
 * Their control-plane recordings (put-integration, get-integration, ...) are out of the suite's scope.
 */
const KINESIS =
  'the runtime runs no Kinesis endpoint (Kinesis Data Streams: PutRecord/PutRecords and the stream the test reads back)';
const listed = (file: string, test: string, keys: string[], area: string, reason: string): Scenario[] =>
  keys.map((key) => ({ area, id: { file, test, key }, notApplicable: reason }));

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
];
