import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadTemplate, loadYamlFile, type TemplateObject, type TemplateValue } from 'sam-local-runtime';

/** The promises template.yaml makes, checked on the file itself (CloudFormation tags, AWS::Include inlined). */
const raw = loadYamlFile('template.yaml') as TemplateObject;
const template = loadTemplate('template.yaml');
const resources = template.Resources as Record<string, TemplateObject>;
const resourceNames = Object.keys(resources);
const ofType = (type: string): [string, TemplateObject][] =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);
const props = (name: string): TemplateObject => (resources[name]?.Properties ?? {}) as TemplateObject;
const mappings = (template.Mappings as TemplateObject).StageConfig as Record<string, Record<string, TemplateValue>>;
const functions = ofType('AWS::Serverless::Function');
const functionNames = functions.map(([name]) => name);

/** Every value nested anywhere in `value` that satisfies `pick`. */
const collect = (value: TemplateValue | undefined, pick: (v: TemplateValue) => boolean): TemplateValue[] => {
  if (value === undefined || value === null) return [];
  const here = pick(value) ? [value] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((item) => collect(item, pick))];
  if (typeof value === 'object') return [...here, ...Object.values(value).flatMap((item) => collect(item, pick))];
  return here;
};
const subStrings = (value: TemplateValue | undefined): string[] =>
  collect(value, (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && 'Fn::Sub' in v).map((v) => {
    const sub = (v as TemplateObject)['Fn::Sub'];
    return Array.isArray(sub) ? String(sub[0]) : String(sub);
  });
const refsIn = (value: TemplateValue | undefined): string[] => [
  ...collect(value, (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && 'Ref' in v).map((v) =>
    String((v as TemplateObject).Ref),
  ),
  ...collect(value, (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && 'Fn::GetAtt' in v).map((v) =>
    String(((v as TemplateObject)['Fn::GetAtt'] as TemplateValue[])[0]),
  ),
  ...collect(value, (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && 'Fn::Sub' in v).flatMap((v) => {
    const sub = (v as TemplateObject)['Fn::Sub'];
    const [text, locals] = Array.isArray(sub)
      ? [String(sub[0]), Object.keys(sub[1] as TemplateObject)]
      : [String(sub), []];
    return [...text.matchAll(/\$\{([A-Za-z0-9]+)(?:\.[A-Za-z]+)?\}/g)]
      .map((m) => m[1] ?? '')
      .filter((name) => !locals.includes(name));
  }),
];

const folderOf = (logicalId: string): string =>
  logicalId
    .replace(/Function$/, '')
    .replace(/([a-z])([A-Z])/g, '$1-$2')
    .toLowerCase();

describe('resource order (sam local start-api reads the first API resource; aws-sam-cli#2610)', () => {
  const rawNames = Object.keys(raw.Resources as TemplateObject);
  const rawType = (name: string): TemplateValue | undefined =>
    ((raw.Resources as TemplateObject)[name] as TemplateObject).Type;
  it('declares the REST API before any other API resource', () => {
    const firstApi = rawNames.find((name) =>
      /^AWS::(Serverless::(Api|HttpApi)|ApiGateway(V2)?::)/.test(String(rawType(name))),
    );
    expect(firstApi).toBe('OrdersApi');
    expect(rawType('OrdersApi')).toBe('AWS::Serverless::Api');
  });
  it('declares the WebSocket API (and no hand-written AWS::ApiGatewayV2 resource) after the REST API and every function', () => {
    const v2 = rawNames.filter((name) =>
      /^AWS::(ApiGatewayV2::|Serverless::WebSocketApi$)/.test(String(rawType(name))),
    );
    expect(v2).toEqual(['OrdersWebSocketApi']);
    const lastFunction = Math.max(
      ...rawNames.filter((name) => rawType(name) === 'AWS::Serverless::Function').map((name) => rawNames.indexOf(name)),
    );
    expect(rawNames.indexOf('OrdersWebSocketApi')).toBeGreaterThan(rawNames.indexOf('OrdersApi'));
    expect(rawNames.indexOf('OrdersWebSocketApi')).toBeGreaterThan(lastFunction);
  });
});

describe('parameters, mappings and conditions', () => {
  const parameters = template.Parameters as Record<string, TemplateObject>;
  it('takes the stage, endpoint type, VPC endpoint, legacy back end and auth settings', () => {
    expect(parameters.Stage?.AllowedValues).toEqual(['dev', 'test', 'prod']);
    expect(parameters.EndpointType?.AllowedValues).toEqual(['EDGE', 'REGIONAL', 'PRIVATE']);
    for (const name of ['VpcEndpointId', 'LegacyBackendUrl', 'AuthIssuer', 'AuthAudience', 'AuthJwksUrl']) {
      expect(parameters[name]).toBeDefined();
    }
  });
  it('has one StageConfig row per stage, all with the same keys', () => {
    expect(Object.keys(mappings).sort()).toEqual(['dev', 'prod', 'test']);
    const keys = Object.keys(mappings.dev ?? {}).sort();
    expect(Object.keys(mappings.test ?? {}).sort()).toEqual(keys);
    expect(Object.keys(mappings.prod ?? {}).sort()).toEqual(keys);
  });
  it('gives the premium tier more rate, burst and quota than the basic one, on every stage', () => {
    for (const row of Object.values(mappings)) {
      expect(Number(row.PremiumRate)).toBeGreaterThan(Number(row.BasicRate));
      expect(Number(row.PremiumBurst)).toBeGreaterThan(Number(row.BasicBurst));
      expect(Number(row.PremiumQuota)).toBeGreaterThan(Number(row.BasicQuota));
    }
  });
  it('uses only parameters and conditions it declares', () => {
    const conditions = Object.keys(template.Conditions as TemplateObject);
    const used = collect(
      template.Resources,
      (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && 'Fn::If' in v,
    ).map((v) => String(((v as TemplateObject)['Fn::If'] as TemplateValue[])[0]));
    for (const condition of used) expect(conditions).toContain(condition);
    const known = new Set([...Object.keys(parameters), ...resourceNames]);
    for (const ref of refsIn(template.Resources)) {
      // `OrdersApi.Stage` is SAM's reference to the stage it generates for the API.
      if (!ref.startsWith('AWS')) expect(known).toContain(ref.replace(/\.Stage$/, ''));
    }
  });
});

describe('REST API', () => {
  const api = props('OrdersApi');
  it('takes its stage name from the parameter and its body from api/openapi.yaml through AWS::Include', () => {
    expect(api.StageName).toEqual({ Ref: 'Stage' });
    const rawApi = ((raw.Resources as TemplateObject).OrdersApi as TemplateObject).Properties as TemplateObject;
    expect(rawApi.DefinitionBody).toEqual({
      'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 'api/openapi.yaml' } },
    });
    expect((api.DefinitionBody as TemplateObject).openapi).toBe('3.0.1');
  });
  it('takes its endpoint type from the parameter, with the VPC endpoint only when PRIVATE', () => {
    expect(api.EndpointConfiguration).toEqual({
      Type: { Ref: 'EndpointType' },
      VPCEndpointIds: { 'Fn::If': ['IsPrivate', [{ Ref: 'VpcEndpointId' }], { Ref: 'AWS::NoValue' }] },
    });
    expect(template.Conditions).toMatchObject({ IsPrivate: { 'Fn::Equals': [{ Ref: 'EndpointType' }, 'PRIVATE'] } });
  });
  it('enables the cache cluster and the catalogue cache only on the stages whose mapping says so', () => {
    expect(template.Conditions).toMatchObject({
      CacheEnabled: { 'Fn::Equals': [{ 'Fn::FindInMap': ['StageConfig', { Ref: 'Stage' }, 'CacheEnabled'] }, 'true'] },
    });
    expect(api.CacheClusterEnabled).toEqual({ 'Fn::If': ['CacheEnabled', true, false] });
    expect(mappings.dev?.CacheEnabled).toBe('false');
    expect(mappings.prod?.CacheEnabled).toBe('true');
    const settings = api.MethodSettings as TemplateObject[];
    const catalog = settings.find((s) => s.ResourcePath === '/~1v1~1catalog' && s.HttpMethod === 'GET');
    expect(catalog).toMatchObject({
      CachingEnabled: { 'Fn::If': ['CacheEnabled', true, false] },
      CacheTtlInSeconds: { 'Fn::FindInMap': ['StageConfig', { Ref: 'Stage' }, 'CacheTtl'] },
      CacheDataEncrypted: true,
    });
    const others = settings.filter((s) => s !== catalog);
    for (const setting of others) expect(setting.CachingEnabled).toBe(false);
  });
  it("sends the stage's one AllowedOrigin to the gateway (stage variable) and the functions (ALLOWED_ORIGIN)", () => {
    const origin = { 'Fn::FindInMap': ['StageConfig', { Ref: 'Stage' }, 'AllowedOrigin'] };
    expect(api.Variables).toEqual({ allowedOrigin: origin });
    const globals = (template.Globals as TemplateObject).Function as TemplateObject;
    expect((globals.Environment as TemplateObject).Variables).toMatchObject({ ALLOWED_ORIGIN: origin });
    // dev may stay open; the deployed stages name one origin (gateway responses can only send a fixed value).
    expect(mappings.dev?.AllowedOrigin).toBe('*');
    for (const stage of ['test', 'prod']) expect(mappings[stage]?.AllowedOrigin).toMatch(/^https:\/\/[^\s/*,]+$/);
  });
  it('throttles, logs and traces every method from the stage mapping, with JSON access logs', () => {
    const all = (api.MethodSettings as TemplateObject[]).find((s) => s.ResourcePath === '/*' && s.HttpMethod === '*');
    expect(all).toMatchObject({
      ThrottlingRateLimit: { 'Fn::FindInMap': ['StageConfig', { Ref: 'Stage' }, 'ThrottleRate'] },
      ThrottlingBurstLimit: { 'Fn::FindInMap': ['StageConfig', { Ref: 'Stage' }, 'ThrottleBurst'] },
      LoggingLevel: { 'Fn::FindInMap': ['StageConfig', { Ref: 'Stage' }, 'ApiLogLevel'] },
      MetricsEnabled: true,
    });
    expect(api.TracingEnabled).toBe(true);
    const access = api.AccessLogSetting as TemplateObject;
    expect(access.DestinationArn).toEqual({ 'Fn::GetAtt': ['ApiAccessLogGroup', 'Arn'] });
    expect(() => JSON.parse(String(access.Format))).not.toThrow();
    expect(props('ApiAccessLogGroup').RetentionInDays).toEqual({
      'Fn::FindInMap': ['StageConfig', { Ref: 'Stage' }, 'LogRetentionDays'],
    });
  });
  it('binds both usage plans to the API stage, each with its own key', () => {
    for (const tier of ['Basic', 'Premium']) {
      const plan = props(`${tier}UsagePlan`);
      expect(plan.ApiStages).toEqual([{ ApiId: { Ref: 'OrdersApi' }, Stage: { Ref: 'OrdersApi.Stage' } }]);
      expect(plan.Throttle).toEqual({
        RateLimit: { 'Fn::FindInMap': ['StageConfig', { Ref: 'Stage' }, `${tier}Rate`] },
        BurstLimit: { 'Fn::FindInMap': ['StageConfig', { Ref: 'Stage' }, `${tier}Burst`] },
      });
      expect(plan.Quota).toMatchObject({ Period: 'DAY' });
      expect(props(`${tier}UsagePlanKey`)).toEqual({
        KeyId: { Ref: `${tier}ApiKey` },
        KeyType: 'API_KEY',
        UsagePlanId: { Ref: `${tier}UsagePlan` },
      });
    }
  });
});

describe('functions', () => {
  const globals = (template.Globals as TemplateObject).Function as TemplateObject;
  it('run on nodejs24.x arm64 with Powertools settings from Globals', () => {
    expect(globals).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'handler.handler',
      Tracing: 'Active',
    });
    expect(Object.keys((globals.Environment as TemplateObject).Variables as TemplateObject).sort()).toEqual(
      [
        'ALLOWED_ORIGIN',
        'NODE_OPTIONS',
        'POWERTOOLS_LOG_LEVEL',
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_SERVICE_NAME',
        'STAGE',
      ].sort(),
    );
    for (const [, fn] of functions) {
      const own = fn.Properties as TemplateObject;
      expect(own.Runtime).toBeUndefined();
      expect(own.Handler).toBeUndefined();
    }
  });
  it('are the fifteen functions of the design', () => {
    expect(functionNames.sort()).toEqual(
      [
        'AdminUsageFunction',
        'AuthorizerFunction',
        'CatalogFunction',
        'MeFunction',
        'OrderChargeFunction',
        'OrderEventsFunction',
        'OrderNotifyFunction',
        'OrderReserveFunction',
        'OrderValidateFunction',
        'OrdersCreateFunction',
        'OrdersGetFunction',
        'WsAuthorizerFunction',
        'WsConnectFunction',
        'WsDisconnectFunction',
        'WsMessageFunction',
      ].sort(),
    );
  });
  it.each(functionNames)(
    '%s is bundled by esbuild (ESM, minified, source maps, node24) from a handler that exists',
    (name) => {
      const folder = folderOf(name);
      expect((resources[name] as TemplateObject).Metadata).toEqual({
        BuildMethod: 'esbuild',
        BuildProperties: {
          Format: 'esm',
          Platform: 'node',
          Target: 'node24',
          Minify: true,
          Sourcemap: true,
          OutExtension: ['.js=.mjs'],
          Banner: ["js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"],
          EntryPoints: [`src/functions/${folder}/handler.ts`],
        },
      });
      expect(existsSync(`src/functions/${folder}/handler.ts`)).toBe(true);
    },
  );
  it.each(functionNames)('%s has a sample event in events/', (name) => {
    const folder = folderOf(name);
    const events = readdirSync('events').filter((file) => file === `${folder}.json` || file.startsWith(`${folder}-`));
    expect(events.length).toBeGreaterThan(0);
    for (const file of events) expect(() => JSON.parse(readFileSync(`events/${file}`, 'utf8'))).not.toThrow();
  });
  it('subscribes the consumer to the events queue with partial batch responses', () => {
    expect((props('OrderEventsFunction').Events as TemplateObject).OrderEvents).toEqual({
      Type: 'SQS',
      Properties: {
        Queue: { 'Fn::GetAtt': ['OrderEventsQueue', 'Arn'] },
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      },
    });
  });
});

describe('wiring: every integration and permission names a function of the template', () => {
  const body = props('OrdersApi').DefinitionBody as TemplateObject;
  const lambdaUris = subStrings(body).filter((text) => text.includes(':lambda:path/'));
  it('every Lambda URI of the OpenAPI document points at a function declared here', () => {
    expect(lambdaUris.length).toBeGreaterThanOrEqual(7);
    for (const uri of lambdaUris) {
      const target = /\$\{([A-Za-z0-9]+)\.Arn\}/.exec(uri)?.[1];
      expect(functionNames).toContain(target);
    }
  });
  it('every REST Lambda integration has a permission scoped to its own method and path', () => {
    const permissions = ofType('AWS::Lambda::Permission').map(([, p]) => p.Properties as TemplateObject);
    const restPermissions = permissions.filter((p) =>
      String((p.SourceArn as TemplateObject)['Fn::Sub']).includes('${OrdersApi}'),
    );
    const expected: [string, string][] = [
      ['CatalogFunction', '/*/GET/v1/catalog'],
      ['OrdersCreateFunction', '/*/POST/v1/orders'],
      ['OrdersGetFunction', '/*/GET/v1/orders/*'],
      ['OrdersGetFunction', '/*/GET/v2/orders/*'],
      ['MeFunction', '/*/GET/v1/me'],
      ['AdminUsageFunction', '/*/GET/v1/admin/usage'],
      ['AuthorizerFunction', '/authorizers/*'],
    ];
    expect(restPermissions).toHaveLength(expected.length);
    for (const [fn, path] of expected) {
      expect(restPermissions).toContainEqual({
        Action: 'lambda:InvokeFunction',
        FunctionName: { Ref: fn },
        Principal: 'apigateway.amazonaws.com',
        SourceAccount: { Ref: 'AWS::AccountId' },
        SourceArn: {
          'Fn::Sub': `arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${OrdersApi}${path}`,
        },
      });
    }
    for (const p of permissions) expect(functionNames).toContain((p.FunctionName as TemplateObject).Ref);
  });
  it('the WebSocket routes and authorizer invoke functions declared here (SAM adds their permissions)', () => {
    const api = props('OrdersWebSocketApi');
    const arns = [
      (api.Auth as TemplateObject).AuthArn,
      ...Object.values(api.Routes as Record<string, TemplateObject>).map((route) => route.FunctionArn),
    ] as TemplateObject[];
    const targets = arns.map((arn) => (arn['Fn::GetAtt'] as string[])[0]);
    expect([...new Set(targets)].sort()).toEqual([
      'WsAuthorizerFunction',
      'WsConnectFunction',
      'WsDisconnectFunction',
      'WsMessageFunction',
    ]);
    // No hand-written permission for them: SAM generates one per route and one for the authorizer.
    const permitted = ofType('AWS::Lambda::Permission').filter(([, p]) =>
      JSON.stringify((p.Properties as TemplateObject).SourceArn).includes('OrdersWebSocketApi'),
    );
    expect(permitted).toEqual([]);
  });
});

describe('least privilege', () => {
  // Actions AWS documents as not supporting resource-level permissions: "*" is the only resource they take.
  const resourceless = new Set([
    'logs:CreateLogDelivery',
    'logs:GetLogDelivery',
    'logs:UpdateLogDelivery',
    'logs:DeleteLogDelivery',
    'logs:ListLogDeliveries',
    'logs:PutResourcePolicy',
    'logs:DescribeResourcePolicies',
    'logs:DescribeLogGroups',
  ]);
  const statements = [
    ...Object.entries(resources).flatMap(([name, r]) =>
      collect(
        r.Properties,
        (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && 'Effect' in v && 'Action' in v,
      ).map((s) => [name, s as TemplateObject] as const),
    ),
  ];
  it('names no wildcard action anywhere', () => {
    expect(statements.length).toBeGreaterThan(10);
    for (const [, statement] of statements) {
      for (const action of [statement.Action].flat()) expect(String(action)).not.toMatch(/\*/);
    }
  });
  it('uses Resource "*" only for actions that cannot be scoped', () => {
    for (const [, statement] of statements.filter(([, s]) => !('Principal' in s))) {
      if ([statement.Resource].flat().includes('*')) {
        for (const action of [statement.Action].flat()) expect(resourceless).toContain(action);
      }
    }
  });
  it('lets each direct-integration role reach only its own queue or state machine', () => {
    const policy = (role: string) => {
      const [only] = props(role).Policies as TemplateObject[];
      return (only?.PolicyDocument as TemplateObject | undefined)?.Statement;
    };
    expect(policy('EventsQueueIntegrationRole')).toEqual([
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['OrderEventsQueue', 'Arn'] } },
    ]);
    expect(policy('OrderWorkflowIntegrationRole')).toEqual([
      { Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: 'OrderWorkflow' } },
    ]);
  });
  it('gives the functions that push to WebSocket clients @connections rights on their own API and stage only', () => {
    for (const name of ['OrderEventsFunction', 'OrderNotifyFunction', 'WsMessageFunction']) {
      const manage = statements.find(([owner, s]) => owner === name && s.Action === 'execute-api:ManageConnections');
      expect(manage?.[1].Resource).toEqual({
        'Fn::Sub':
          'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${OrdersWebSocketApi}/${Stage}/POST/@connections/*',
      });
    }
  });
});

describe('data and messaging resources', () => {
  it('the events queue is encrypted and redrives to an encrypted DLQ', () => {
    expect(props('OrderEventsQueue')).toMatchObject({
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': ['OrderEventsDeadLetterQueue', 'Arn'] },
        maxReceiveCount: 5,
      },
    });
    expect(props('OrderEventsDeadLetterQueue').SqsManagedSseEnabled).toBe(true);
    // Only the events queue may redrive to it (AWS Control Tower CT.SQS.PR.1), named by the queue's own name.
    const queueName = (props('OrderEventsQueue').QueueName as TemplateObject)['Fn::Sub'];
    expect(props('OrderEventsDeadLetterQueue').RedriveAllowPolicy).toEqual({
      redrivePermission: 'byQueue',
      sourceQueueArns: [{ 'Fn::Sub': `arn:\${AWS::Partition}:sqs:\${AWS::Region}:\${AWS::AccountId}:${queueName}` }],
    });
    // The Lambda developer guide asks for a visibility timeout of at least six times the function timeout.
    expect(Number(props('OrderEventsQueue').VisibilityTimeout)).toBeGreaterThanOrEqual(
      6 * Number(props('OrderEventsFunction').Timeout),
    );
  });
  it('the connections table is on-demand, encrypted, recoverable, expires items and finds connections by order', () => {
    expect(props('ConnectionsTable')).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byOrder',
          KeySchema: [
            { AttributeName: 'orderId', KeyType: 'HASH' },
            { AttributeName: 'connectionId', KeyType: 'RANGE' },
          ],
        },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });
  it('the auth configuration parameter holds issuer, audience and JWKS URL as JSON, and the authorizers read it', () => {
    const parameter = props('AuthConfigParameter');
    expect(parameter.Type).toBe('String');
    const [text] = (parameter.Value as TemplateObject)['Fn::Sub'] as [string];
    expect(Object.keys(JSON.parse(text.replace(/\$\{(\w+)\}/g, 'x')))).toEqual(['issuer', 'audience', 'jwksUri']);
    for (const name of ['AuthorizerFunction', 'WsAuthorizerFunction']) {
      const env = (props(name).Environment as TemplateObject).Variables as TemplateObject;
      expect(env.AUTH_CONFIG_PARAMETER).toEqual({ Ref: 'AuthConfigParameter' });
    }
  });
});

describe('WebSocket API', () => {
  const api = props('OrdersWebSocketApi');
  it('is an AWS::Serverless::WebSocketApi selecting routes by $request.body.action', () => {
    expect(resources.OrdersWebSocketApi?.Type).toBe('AWS::Serverless::WebSocketApi');
    expect(api).toMatchObject({
      Name: { 'Fn::Sub': 'orders-ws-${Stage}' },
      StageName: { Ref: 'Stage' },
      RouteSelectionExpression: '$request.body.action',
    });
    expect(Object.keys(api.Routes as TemplateObject).sort()).toEqual([
      '$connect',
      '$default',
      '$disconnect',
      'publish',
      'subscribe',
    ]);
  });
  it('authorizes $connect (the only route API Gateway authorizes) with the query-string token', () => {
    expect(api.Auth).toEqual({
      AuthType: 'CUSTOM',
      AuthArn: { 'Fn::GetAtt': ['WsAuthorizerFunction', 'Arn'] },
      Name: 'jwt-query-token',
      IdentitySource: ['route.request.querystring.token'],
    });
  });
  it('throttles and logs on its stage, after the account has its CloudWatch role', () => {
    expect(resources.OrdersWebSocketApi?.DependsOn).toBe('ApiGatewayAccount');
    expect(api).toMatchObject({
      DefaultRouteSettings: {
        ThrottlingRateLimit: { 'Fn::FindInMap': ['StageConfig', { Ref: 'Stage' }, 'ThrottleRate'] },
        LoggingLevel: { 'Fn::FindInMap': ['StageConfig', { Ref: 'Stage' }, 'ApiLogLevel'] },
      },
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': ['WsAccessLogGroup', 'Arn'] } },
    });
  });
});

describe('order workflow', () => {
  const machine = props('OrderWorkflow');
  const asl = JSON.parse(readFileSync(String(machine.DefinitionUri), 'utf8')) as {
    States: Record<string, { Type: string; Retry?: { ErrorEquals: string[] }[]; Catch?: unknown[] }>;
  };
  const aslText = readFileSync(String(machine.DefinitionUri), 'utf8');
  it('is a logged, traced STANDARD state machine', () => {
    expect(machine).toMatchObject({ Type: 'STANDARD', Tracing: { Enabled: true }, Logging: { Level: 'ALL' } });
  });
  it('defines exactly the substitutions its definition uses', () => {
    const used = [...new Set([...aslText.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]))].sort();
    expect(Object.keys(machine.DefinitionSubstitutions as TemplateObject).sort()).toEqual(used);
  });
  it('retries the payment on the error the charge function throws, and catches every task failure', () => {
    const charge = asl.States.ChargePayment;
    expect(charge?.Retry?.[0]?.ErrorEquals).toEqual(['PaymentUnavailableError']);
    expect(readFileSync('src/domain/errors.ts', 'utf8')).toContain("name = 'PaymentUnavailableError'");
    for (const state of ['ValidateOrder', 'ReserveInventory', 'ChargePayment'])
      expect(asl.States[state]?.Catch).toBeDefined();
    expect(Object.values(asl.States).filter((s) => s.Type === 'Fail')).toHaveLength(1);
  });
  it('may invoke only its own task functions and send only to its own queue', () => {
    const policies = machine.Policies as TemplateObject[];
    const invoked = policies.flatMap((p) =>
      p.LambdaInvokePolicy ? [(p.LambdaInvokePolicy as TemplateObject).FunctionName] : [],
    );
    expect(invoked).toEqual([
      { Ref: 'OrderValidateFunction' },
      { Ref: 'OrderReserveFunction' },
      { Ref: 'OrderChargeFunction' },
      { Ref: 'OrderNotifyFunction' },
    ]);
    expect(policies).toContainEqual({
      SQSSendMessagePolicy: { QueueName: { 'Fn::GetAtt': ['OrderEventsQueue', 'QueueName'] } },
    });
  });
});

describe('observability (issue 24)', () => {
  const alarm = props('OrderFailureRateAlarm');
  const variables = ((template.Globals as TemplateObject).Function as TemplateObject).Environment as TemplateObject;
  const metricOf = (id: string) =>
    (((alarm.Metrics as TemplateObject[]).find((metric) => metric.Id === id)?.MetricStat ?? {}) as TemplateObject)
      .Metric as TemplateObject;
  it('gives the functions the metrics namespace of the MetricsNamespace parameter', () => {
    expect((variables.Variables as TemplateObject).POWERTOOLS_METRICS_NAMESPACE).toEqual({ Ref: 'MetricsNamespace' });
  });
  it("alarms on the stage's order failure rate: metric math over OrdersFailed and OrdersPlaced of this stage", () => {
    const [rate] = (alarm.Metrics as TemplateObject[]).filter((metric) => metric.ReturnData === true);
    expect(rate?.Expression).toBe('IF(placed > 0, 100 * FILL(failed, 0) / placed, 0)');
    const service = (variables.Variables as TemplateObject).POWERTOOLS_SERVICE_NAME;
    for (const [id, name] of [
      ['failed', 'OrdersFailed'],
      ['placed', 'OrdersPlaced'],
    ] as const) {
      expect(metricOf(id)).toEqual({
        Namespace: { Ref: 'MetricsNamespace' },
        MetricName: name,
        // The {service, stage} dimension set src/shared/metrics.ts publishes beside the per-reason/channel one.
        Dimensions: [
          { Name: 'service', Value: service },
          { Name: 'stage', Value: { Ref: 'Stage' } },
        ],
      });
    }
    expect(alarm.Threshold).toEqual({ 'Fn::FindInMap': ['StageConfig', { Ref: 'Stage' }, 'FailureRateAlarmPercent'] });
    expect(alarm.TreatMissingData).toBe('notBreaching');
  });
  it('notifies only where a topic is given', () => {
    const onlyWithTopic = { 'Fn::If': ['HasAlarmTopic', [{ Ref: 'AlarmTopicArn' }], { Ref: 'AWS::NoValue' }] };
    expect(alarm.AlarmActions).toEqual(onlyWithTopic);
    expect(alarm.OKActions).toEqual(onlyWithTopic);
    expect((template.Conditions as TemplateObject).HasAlarmTopic).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmTopicArn' }, ''] }],
    });
  });
});

describe('outputs', () => {
  it('publishes the URLs, key ids, user pool, state machine and queue', () => {
    expect(Object.keys(template.Outputs as TemplateObject)).toEqual(
      expect.arrayContaining([
        'RestApiUrl',
        'WebSocketUrl',
        'BasicApiKeyId',
        'PremiumApiKeyId',
        'UserPoolId',
        'UserPoolClientId',
        'OrderWorkflowArn',
        'OrderEventsQueueUrl',
      ]),
    );
  });
});
