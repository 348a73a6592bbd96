import { readFileSync } from 'node:fs';
import { LocalStack, loadYamlFile, type TemplateObject, type TemplateValue } from 'sam-local-runtime';
import { parse } from 'smol-toml';
import { SOURCE, samLocalText, TARGET } from '../../scripts/openapi-sam-local.ts';

/**
 * `sam local start-api` and `sam deploy` read the same template.yaml and see two shapes of the REST API: SAM CLI's
 * route parser (samcli/commands/local/lib/swagger/parser.py) accepts one security entry holding one scheme per Lambda
 * proxy route, API Gateway needs one entry per requirement to demand an API key AND the token.
 */
type Operation = TemplateObject & { security?: TemplateObject[] };
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'x-amazon-apigateway-any-method'];

/** The REST API's resolved OpenAPI body for a samconfig environment and extra overrides. */
const body = (configEnv: string, parameterOverrides = ''): TemplateObject => {
  const stack = new LocalStack({ templatePath: 'template.yaml', configEnv, parameterOverrides });
  return stack.properties('OrdersApi').DefinitionBody as TemplateObject;
};

/** Every `aws_proxy` operation, keyed `METHOD path`: the routes SAM CLI serves. */
const lambdaProxyRoutes = (doc: TemplateObject): Map<string, Operation> => {
  const routes = new Map<string, Operation>();
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
    for (const [method, operation] of Object.entries(item)) {
      const integration = operation['x-amazon-apigateway-integration'] as TemplateObject | undefined;
      if (METHODS.includes(method) && String(integration?.type).toLowerCase() === 'aws_proxy') {
        routes.set(`${method.toUpperCase()} ${path}`, operation);
      }
    }
  }
  return routes;
};

/** SAM CLI's get_routes rules: a list, at most one entry, one scheme in it. */
const samCliAccepts = (security: TemplateValue[] | undefined): boolean =>
  security === undefined ||
  (security.length <= 1 && security.every((entry) => Object.keys(entry as TemplateObject).length <= 1));

const schemesOf = (operation: Operation | undefined): string[] =>
  (operation?.security ?? []).map((entry) => Object.keys(entry).join('+')).sort();

const FIVE_ROUTES = [
  'GET /v1/admin/usage',
  'GET /v1/catalog',
  'GET /v1/me',
  'GET /v2/orders/{orderId}',
  'POST /v1/orders',
];

describe('the sam local view and the deployed view of the REST API', () => {
  it.each(['dev', 'test', 'prod'])(
    'deployed (%s): POST /v1/orders requires the API key and the token as two entries',
    (configEnv) => {
      const routes = lambdaProxyRoutes(body(configEnv));
      expect(schemesOf(routes.get('POST /v1/orders'))).toEqual(['ApiKey', 'TokenAuthorizer']);
      // Which is what SAM CLI refuses (MultipleAuthorizerException, aws/aws-sam-cli#6628).
      expect(samCliAccepts(routes.get('POST /v1/orders')?.security)).toBe(false);
    },
  );

  it('sam local (SamLocal=true): the five Lambda proxy routes, each with one requirement SAM CLI accepts', () => {
    const routes = lambdaProxyRoutes(body('dev', 'SamLocal=true'));
    expect([...routes.keys()].sort()).toEqual(FIVE_ROUTES);
    for (const [route, operation] of routes) {
      expect({ route, accepted: samCliAccepts(operation.security) }).toEqual({ route, accepted: true });
      expect(operation.security).toHaveLength(1);
    }
    // The Lambda authorizer, which sam local runs, is the requirement kept where there were two.
    expect(schemesOf(routes.get('POST /v1/orders'))).toEqual(['TokenAuthorizer']);
  });

  it('both views serve the same Lambda proxy routes with the same integrations', () => {
    const deployed = lambdaProxyRoutes(body('dev'));
    const local = lambdaProxyRoutes(body('dev', 'SamLocal=true'));
    expect([...local.keys()].sort()).toEqual([...deployed.keys()].sort());
    for (const [route, operation] of local) {
      expect(operation['x-amazon-apigateway-integration']).toEqual(
        deployed.get(route)?.['x-amazon-apigateway-integration'],
      );
      for (const scheme of schemesOf(operation)) expect(schemesOf(deployed.get(route))).toContain(scheme);
    }
  });

  it(`${TARGET} is generated from ${SOURCE} and current (else: npm run openapi:sam-local)`, () => {
    expect(readFileSync(TARGET, 'utf8')).toBe(samLocalText());
  });

  it('only sam local start-api sets SamLocal=true; deployments cannot (template Rules)', () => {
    const config = parse(readFileSync('samconfig.toml', 'utf8')) as Record<
      string,
      Record<string, { parameters?: Record<string, unknown> }>
    >;
    expect(String(config.default?.local_start_api?.parameters?.parameter_overrides)).toMatch(
      /(^|\s)SamLocal=true(\s|$)/,
    );
    for (const env of ['default', 'dev', 'test', 'prod']) {
      expect(String(config[env]?.deploy?.parameters?.parameter_overrides ?? '')).not.toMatch(/SamLocal/);
    }
    const template = loadYamlFile('template.yaml') as TemplateObject;
    expect((template.Parameters as TemplateObject).SamLocal).toMatchObject({ Default: 'false' });
    expect(template.Rules).toEqual({
      SamLocalIsNeverDeployed: {
        Assertions: [expect.objectContaining({ Assert: { 'Fn::Equals': [{ Ref: 'SamLocal' }, 'false'] } })],
      },
    });
  });
});
