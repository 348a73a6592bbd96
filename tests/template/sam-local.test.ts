import { readFileSync } from 'node:fs';
import { LocalStack, loadYamlFile, type TemplateObject, type TemplateValue } from 'sam-local-runtime';
import { parse } from 'smol-toml';

/**
 * `sam local start-api` and `sam deploy` read the same template.yaml and api/openapi.yaml.
 *
 * SAM CLI's route parser (samcli/commands/local/lib/swagger/parser.py, get_routes) accepts, per Lambda proxy route, a
 * `security` list of at most one entry holding one key, and it reads the AWS::Include'd file as it is on disk: it
 * evaluates no intrinsic function inside it. CloudFormation does evaluate them. So the raw file must pass SAM CLI's
 * rules while the evaluated one requires the API key and the token on POST /v1/orders.
 */
type Operation = TemplateObject & { security?: TemplateValue[] };
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'x-amazon-apigateway-any-method'];
const FIVE_ROUTES = [
  'GET /v1/admin/usage',
  'GET /v1/catalog',
  'GET /v1/me',
  'GET /v2/orders/{orderId}',
  'POST /v1/orders',
];

/** Every `aws_proxy` operation, keyed `METHOD path`: the routes SAM CLI serves. */
const lambdaProxyRoutes = (doc: TemplateObject): Map<string, Operation> => {
  const routes = new Map<string, Operation>();
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
    for (const [method, operation] of Object.entries(item)) {
      const integration = operation['x-amazon-apigateway-integration'] as TemplateObject | undefined;
      if (METHODS.includes(method) && String(integration?.type).toLowerCase() === 'aws_proxy') {
        routes.set(`${method === METHODS[5] ? 'ANY' : method.toUpperCase()} ${path}`, operation);
      }
    }
  }
  return routes;
};

/** SAM CLI's get_routes rules: a list, at most one entry, at most one key in it. */
const samCliAccepts = (security: TemplateValue | undefined): boolean =>
  security === undefined ||
  (Array.isArray(security) &&
    security.length <= 1 &&
    security.every((entry) => Object.keys(entry as TemplateObject).length <= 1));

/** The requirements of an evaluated operation, each as its sorted scheme names joined by `+`. */
const requirements = (operation: Operation | undefined): string[] =>
  (operation?.security ?? []).map((entry) =>
    Object.keys(entry as TemplateObject)
      .sort()
      .join('+'),
  );

/** The REST API's OpenAPI body as CloudFormation evaluates it, for a samconfig environment and overrides. */
const evaluated = (configEnv: string, parameterOverrides = ''): Map<string, Operation> => {
  const stack = new LocalStack({ templatePath: 'template.yaml', configEnv, parameterOverrides });
  return lambdaProxyRoutes(stack.properties('OrdersApi').DefinitionBody as TemplateObject);
};

describe('sam local start-api and sam deploy views of the REST API', () => {
  it('the raw api/openapi.yaml (what SAM CLI reads) passes SAM CLI route rules on the five Lambda proxy routes', () => {
    const raw = lambdaProxyRoutes(loadYamlFile('api/openapi.yaml') as TemplateObject);
    expect([...raw.keys()].sort()).toEqual(FIVE_ROUTES);
    for (const [route, operation] of raw) {
      expect({ route, accepted: samCliAccepts(operation.security) }).toEqual({ route, accepted: true });
    }
  });

  it.each(['dev', 'test', 'prod'])('deployed (%s): POST /v1/orders requires the API key and the token', (configEnv) => {
    const routes = evaluated(configEnv);
    // One requirement object naming both schemes: API Gateway requires all of them (as it does for two entries).
    expect(requirements(routes.get('POST /v1/orders'))).toEqual(['ApiKey+TokenAuthorizer']);
    expect(requirements(routes.get('GET /v2/orders/{orderId}'))).toEqual(['TokenAuthorizer']);
    expect(requirements(routes.get('GET /v1/catalog'))).toEqual(['ApiKey']);
  });

  it('sam local (SamLocal=true): one requirement with one scheme per route; POST /v1/orders keeps the token', () => {
    const routes = evaluated('dev', 'SamLocal=true');
    expect([...routes.keys()].sort()).toEqual(FIVE_ROUTES);
    for (const [route, operation] of routes) {
      expect({ route, accepted: samCliAccepts(operation.security), entries: operation.security?.length }).toEqual({
        route,
        accepted: true,
        entries: 1,
      });
    }
    expect(requirements(routes.get('POST /v1/orders'))).toEqual(['TokenAuthorizer']);
  });

  it('only sam local start-api sets SamLocal=true; a deployment with it fails (template Rules)', () => {
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
    expect((template.Conditions as TemplateObject).IsSamLocal).toEqual({
      'Fn::Equals': [{ Ref: 'SamLocal' }, 'true'],
    });
    expect(template.Rules).toEqual({
      SamLocalIsNeverDeployed: {
        Assertions: [expect.objectContaining({ Assert: { 'Fn::Equals': [{ Ref: 'SamLocal' }, 'false'] } })],
      },
    });
  });
});
