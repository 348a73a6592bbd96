import { send } from '../client.ts';
import type { Scenario } from '../scenario.ts';

/** Lambda custom (AWS) integrations of test_apigateway_lambda.py, each against its own API of the fixture. */
const AREA = 'Lambda (AWS)';
const FILE = 'test_apigateway_lambda';

/** The function's folder, which Lambda calls /var/task (LAMBDA_TASK_ROOT), named so in the error's stack trace. */
const inTaskRoot = (content: unknown): unknown => {
  if (typeof content !== 'object' || content === null || !('stackTrace' in content)) return content;
  const { stackTrace } = content;
  if (!Array.isArray(stackTrace)) return content;
  return {
    ...content,
    stackTrace: stackTrace.map((line) => String(line).replace(/File "[^"]*\/([^/"]+\.py)"/, 'File "/var/task/$1"')),
  };
};

const json = (body: unknown) => ({ 'Content-Type': 'application/json', body: JSON.stringify(body) });

export const lambdaCustom: Scenario[] = [
  {
    area: AREA,
    id: { file: FILE, test: 'test_lambda_aws_integration', key: 'lambda-aws-integration' },
    status: 200,
    run: async (bases) => {
      // requests.post(data=...) sends no Content-Type: the passthrough applies.
      const answer = await send(
        bases.LambdaAwsApi as string,
        'POST',
        '/api/test',
        {},
        json({ message: 'hello world' }).body,
      );
      return { status: answer.status, value: answer.content };
    },
  },
  ...(['1', '2'] as const).map(
    (n): Scenario => ({
      area: AREA,
      id: { file: FILE, test: 'test_lambda_aws_integration_with_request_template', key: `lambda-aws-integration-${n}` },
      status: 200,
      run: async (bases) => {
        // The second asks with a Signature parameter too (localstack/localstack#5041).
        const query = n === '1' ? '?param1=foobar' : '?param1=foobar&Signature=1';
        const answer = await send(bases.LambdaTemplateApi as string, 'GET', `/api/test${query}`);
        return { status: answer.status, value: answer.content };
      },
    }),
  ),
  ...(
    [
      [200, 200],
      [400, 405],
      [500, 502],
    ] as const
  ).map(
    ([code, expected]): Scenario => ({
      area: AREA,
      id: { file: FILE, test: 'test_lambda_selection_patterns', key: `lambda-selection-pattern-${code}` },
      status: expected,
      run: async (bases) => {
        const answer = await send(bases.LambdaSelectApi as string, 'GET', `/dev/${code}`);
        return { status: answer.status, value: inTaskRoot(answer.content) };
      },
    }),
  ),
  ...(
    [
      ['202', { httpStatus: '200' }],
      ['400', { httpStatus: '400', errorMessage: 'Test Bad request' }],
    ] as const
  ).map(
    ([key, body]): Scenario => ({
      area: AREA,
      id: {
        file: FILE,
        test: 'test_lambda_aws_integration_response_with_mapping_templates',
        key: `response-template-${key}`,
      },
      status: Number(key),
      run: async (bases) => {
        const { body: text, ...headers } = json(body);
        const answer = await send(bases.LambdaMappingApi as string, 'POST', '/api/test', headers, text);
        return { status: answer.status, value: { statusCode: answer.status, body: answer.content } };
      },
    }),
  ),
];
