import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { templateReport } from '../../src/runtime/unsupported.ts';
import { isObject, type TemplateValue } from '../../src/template/load.ts';
import { LocalStack, StackError } from '../../src/template/stack.ts';
import { webSocketApisOf } from '../../src/websocket/model.ts';

/**
 * The runtime reads an AWS::Serverless::WebSocketApi as the SAM translator v1.110.0 translates it: loaded from the
 * SAM input and from the translator's output, the same generated resources (ids, types, resolved properties), the
 * same served routes and the same Outputs. `translated.json` is the translator v1.110.0's output of this package's
 * own fixture; SAM_TRANSLATOR_FIXTURES (default /work/shared/fixtures/sam-translator-v1.110.0) may point at the
 * translator's own test inputs and outputs (tests/translator/{input,output}/websocket_api_*), which are checked too.
 */
const own = (name: string) => fileURLToPath(new URL(`../fixtures/sam-websocket-api/${name}`, import.meta.url));
const TRANSLATOR_FIXTURES = process.env.SAM_TRANSLATOR_FIXTURES ?? '/work/shared/fixtures/sam-translator-v1.110.0';

/** The resource types the translator makes of a WebSocket API that the runtime serves or answers Refs for. */
const GENERATED = new Set([
  'AWS::ApiGatewayV2::Api',
  'AWS::ApiGatewayV2::Route',
  'AWS::ApiGatewayV2::Integration',
  'AWS::ApiGatewayV2::Stage',
  'AWS::ApiGatewayV2::Authorizer',
  'AWS::Lambda::Permission',
]);

const generatedOf = (stack: LocalStack) =>
  Object.fromEntries(
    [...stack.resources.values()]
      .filter((resource) => GENERATED.has(resource.type))
      .map((resource) => [
        resource.logicalId,
        { type: resource.type, dependsOn: resource.raw.DependsOn, properties: stack.properties(resource.logicalId) },
      ]),
  );

const servedOf = (stack: LocalStack) =>
  webSocketApisOf(stack).map((api) => ({
    ...api,
    routes: [...api.routes.values()]
      .sort((a, b) => a.routeKey.localeCompare(b.routeKey))
      .map(({ integration, ...route }) => ({
        ...route,
        integration: integration && { ...integration, responses: integration.responses.length },
      })),
  }));

const outputsOf = (stack: LocalStack): TemplateValue =>
  stack.resolve(isObject(stack.template.Outputs) ? stack.template.Outputs : {});

const expectSameStack = (input: string, output: string) => {
  const sam = new LocalStack({ templatePath: input });
  const translated = new LocalStack({ templatePath: output });
  expect(generatedOf(sam)).toEqual(generatedOf(translated));
  expect(servedOf(sam)).toEqual(servedOf(translated));
  expect(outputsOf(sam)).toEqual(outputsOf(translated));
  return sam;
};

describe('AWS::Serverless::WebSocketApi as the SAM translator v1.110.0 translates it', () => {
  it("serves this package's fixture as it serves the translator's output of it", () => {
    const stack = expectSameStack(own('template.yaml'), own('translated.json'));
    const chat = webSocketApisOf(stack).find((api) => api.logicalId === 'Chat');
    expect(chat).toMatchObject({ stage: 'beta', stageVariables: { greeting: 'hello' } });
    expect(chat?.routes.get('$connect')?.authorizer).toEqual({
      name: 'ticket-check',
      functionArn: stack.getAtt('TicketCheck', 'Arn'),
      identitySources: ['route.request.querystring.ticket'],
    });
    expect(stack.ref('Chat.Stage')).toBe('beta');
  });

  const inputs = existsSync(join(TRANSLATOR_FIXTURES, 'input'))
    ? readdirSync(join(TRANSLATOR_FIXTURES, 'input')).filter((name) => /^websocket_api_.*\.yaml$/.test(name))
    : [];
  const errors = existsSync(join(TRANSLATOR_FIXTURES, 'input'))
    ? readdirSync(join(TRANSLATOR_FIXTURES, 'input')).filter((name) => /^error_websocket_api_.*\.yaml$/.test(name))
    : [];

  (inputs.length > 0 ? it.each(inputs) : it.skip.each(['(no translator fixtures)']))(
    "serves the translator's %s as it serves its translated output",
    (name) => {
      expectSameStack(
        join(TRANSLATOR_FIXTURES, 'input', name),
        join(TRANSLATOR_FIXTURES, 'output', name.replace(/\.yaml$/, '.json')),
      );
    },
  );

  (errors.length > 0 ? it.each(errors) : it.skip.each(['(no translator fixtures)']))(
    'refuses %s, which the translator refuses, naming the resource',
    (name) => {
      const expected = JSON.parse(
        readFileSync(join(TRANSLATOR_FIXTURES, 'output', name.replace(/\.yaml$/, '.json')), 'utf8'),
      ) as { errorMessage: string };
      // "... Resource with id [WSApi] is invalid. <why>": the runtime names the resource and says the same why.
      const [, id, why] = /Resource with id \[(\w+)\] is invalid\. (.*)$/.exec(expected.errorMessage) ?? [];
      expect(() => new LocalStack({ templatePath: join(TRANSLATOR_FIXTURES, 'input', name) })).toThrow(
        `AWS::Serverless::WebSocketApi ${id}: ${why} (the SAM transform refuses it)`,
      );
    },
  );
});

describe('AWS::Serverless::WebSocketApi auth the runtime does not run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sam-websocket-api-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const stackWithAuth = (auth: string) => {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(
      file,
      `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: { Runtime: nodejs24.x, Handler: index.handler, InlineCode: 'exports.handler = async () => ({})' }
  Api:
    Type: AWS::Serverless::WebSocketApi
    Properties:
      RouteSelectionExpression: $request.body.action
      Auth: ${auth}
      Routes:
        $connect: { FunctionArn: !GetAtt Fn.Arn }
`,
    );
    return () => new LocalStack({ templatePath: file });
  };

  it('refuses an AuthType the translator accepts but translates to an open $connect (`custom`), naming it', () => {
    // The translator v1.110.0 validates AuthType case-insensitively, then compares it case-sensitively: `custom`
    // deploys a $connect with AuthorizationType NONE and no authorizer.
    expect(stackWithAuth('{ AuthType: custom, AuthArn: !GetAtt Fn.Arn }')).toThrow(StackError);
    expect(stackWithAuth('{ AuthType: custom, AuthArn: !GetAtt Fn.Arn }')).toThrow(
      /Api: Auth.AuthType "custom".*the local runtime refuses it: write CUSTOM/,
    );
  });

  it("refuses an AuthType that is not NONE, AWS_IAM or CUSTOM with the translator's message", () => {
    expect(stackWithAuth('{ AuthType: JWT }')).toThrow(/Api: AuthType is not one of AWS_IAM, CUSTOM or NONE\./);
  });

  it('names at start-up what it does not run: a custom Domain, and a Condition the translator drops', () => {
    const file = join(dir, 'domain.yaml');
    writeFileSync(
      file,
      `Transform: AWS::Serverless-2016-10-31
Conditions:
  Never: !Equals [a, b]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: { Runtime: nodejs24.x, Handler: index.handler, InlineCode: 'exports.handler = async () => ({})' }
  Api:
    Type: AWS::Serverless::WebSocketApi
    Condition: Never
    Properties:
      RouteSelectionExpression: $request.body.action
      Domain: { DomainName: ws.example.com, CertificateArn: arn:aws:acm:us-east-1:123456789012:certificate/x }
      Routes:
        $default: { FunctionArn: !GetAtt Fn.Arn }
`,
    );
    const stack = new LocalStack({ templatePath: file });
    expect(templateReport(stack).unsupported).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Api: Condition Never is not carried .* they exist whatever its value$/),
        expect.stringMatching(/^Api\.Domain \("ws\.example\.com"\): the custom domain.* not served locally/),
      ]),
    );
    // As the translator v1.110.0 writes it: the generated API has no Condition, so it is served.
    expect(webSocketApisOf(stack).map((api) => api.logicalId)).toEqual(['Api']);
  });

  it('serves AWS_IAM on $connect as a refusing route, named among the problems', () => {
    const stack = stackWithAuth('{ AuthType: AWS_IAM }')();
    const [api] = webSocketApisOf(stack);
    expect(api?.routes.get('$connect')?.problem).toMatch(/AWS_IAM authorization is not checked locally/);
    expect(api?.problems).toEqual([expect.stringMatching(/^ApiConnectRoute \(\$connect\): AWS_IAM/)]);
  });
});
