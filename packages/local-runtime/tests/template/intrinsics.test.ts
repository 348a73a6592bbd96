import { createResolver, IntrinsicError, type ResolverOptions } from '../../src/template/intrinsics.ts';
import { parseYaml, type TemplateObject } from '../../src/template/load.ts';
import { LocalStack } from '../../src/template/stack.ts';

const template = parseYaml(`
Parameters:
  Stage: { Type: String }
  Subnets: { Type: CommaDelimitedList }
Mappings:
  Config:
    dev: { Rate: 50, Name: small }
Conditions:
  IsDev: !Equals [!Ref Stage, dev]
  IsProd: !Not [!Condition IsDev]
  DevAndNamed: !And [!Condition IsDev, !Equals [!FindInMap [Config, dev, Name], small]]
  Either: !Or [!Condition IsProd, !Condition DevAndNamed]
Resources:
  Queue: { Type: AWS::SQS::Queue }
  Unused: { Type: AWS::SQS::Queue }
  ProdOnly: { Type: AWS::SQS::Queue, Condition: IsProd }
`) as TemplateObject;

const refs: string[] = [];
const options: ResolverOptions = {
  parameters: { Stage: 'dev', Subnets: ['a', 'b'] },
  pseudo: {
    region: 'eu-west-1',
    accountId: '123456789012',
    partition: 'aws',
    stackName: 'stack',
    stackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/stack/x',
    urlSuffix: 'amazonaws.com',
  },
  ref: (id) => {
    refs.push(id);
    return `${id}-id`;
  },
  getAtt: (id, attribute) => `${id}.${attribute}`,
};
const resolver = createResolver(template, options);
const resolve = (yaml: string) => resolver.resolve(parseYaml(yaml));

describe('intrinsic resolver', () => {
  it('resolves Ref of parameters, pseudo parameters and resources, lazily', () => {
    refs.length = 0;
    expect(resolve('[!Ref Stage, !Ref AWS::Region, !Ref AWS::AccountId, !Ref Queue, !Ref Subnets]')).toEqual([
      'dev',
      'eu-west-1',
      '123456789012',
      'Queue-id',
      ['a', 'b'],
    ]);
    expect(refs).toEqual(['Queue']);
    expect(() => resolve('!Ref Nope')).toThrow(IntrinsicError);
  });

  it('substitutes ${Param}, ${Res}, ${Res.Attr}, ${AWS::X}, variables and ${!Literal}', () => {
    expect(resolve('!Sub "${Stage}/${Queue}/${Queue.Arn}/${AWS::Partition}/${!Literal}"')).toBe(
      'dev/Queue-id/Queue.Arn/aws/${Literal}',
    );
    expect(resolve('!Sub ["${A}-${B}", { A: !Ref Stage, B: !If [IsDev, x, y] }]')).toBe('dev-x');
    expect(resolve('!GetAtt Queue.QueueName')).toBe('Queue.QueueName');
    expect(resolve('!GetAtt [Queue, Arn]')).toBe('Queue.Arn');
  });

  it('evaluates Join, Select, Split, FindInMap (with DefaultValue), Base64, GetAZs, ToJsonString and Length', () => {
    expect(resolve('!Join ["-", [a, !Ref Stage, !FindInMap [Config, dev, Rate]]]')).toBe('a-dev-50');
    expect(resolve('!Select [1, !Split [",", "x,y,z"]]')).toBe('y');
    expect(resolve('!FindInMap [Config, !Ref Stage, Rate]')).toBe(50);
    expect(resolve('!FindInMap [Config, prod, Rate, { DefaultValue: 7 }]')).toBe(7);
    expect(() => resolve('!FindInMap [Config, prod, Rate]')).toThrow(/Config has no prod.Rate/);
    expect(resolve('!Base64 hi')).toBe('aGk=');
    expect(resolve('!GetAZs ""')).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(resolve('Fn::ToJsonString: { a: !Ref Stage }')).toBe('{"a":"dev"}');
    expect(resolve('Fn::Length: [1, 2, 3]')).toBe(3);
  });

  it('evaluates conditions with Equals, Not, And, Or and Condition, and removes AWS::NoValue', () => {
    expect([
      resolver.condition('IsDev'),
      resolver.condition('IsProd'),
      resolver.condition('DevAndNamed'),
      resolver.condition('Either'),
    ]).toEqual([true, false, true, true]);
    expect(resolve('{ a: !If [IsProd, x, !Ref AWS::NoValue], b: 1, c: [1, !Ref AWS::NoValue, 2] }')).toEqual({
      b: 1,
      c: [1, 2],
    });
    expect(resolver.resourceEnabled('ProdOnly')).toBe(false);
    expect(resolver.resourceEnabled('Queue')).toBe(true);
  });

  it('names what it cannot do locally', () => {
    expect(() => resolve('!ImportValue shared-vpc')).toThrow('Fn::ImportValue is not supported by the local runtime');
    const withImports = createResolver(parseYaml('Resources: {}') as TemplateObject, {
      ...options,
      importValue: (name) => `imported:${name}`,
    });
    expect(withImports.resolve(parseYaml('!ImportValue {"Fn::Sub": "${AWS::Region}-vpc"}') as TemplateObject)).toBe(
      'imported:eu-west-1-vpc',
    );
    expect(() => resolve('!Cidr [10.0.0.0/16, 2, 8]')).toThrow(/not supported/);
  });
});

describe('the real template', () => {
  it('resolves every resource of template.yaml for the test stage', () => {
    const stack = new LocalStack({ templatePath: 'template.yaml', configEnv: 'test' });
    for (const resource of stack.resources.values())
      if (resource.enabled) expect(() => stack.properties(resource.logicalId)).not.toThrow();
    expect(stack.properties('OrdersApi').StageName).toBe('test');
    expect(stack.ref('OrdersApi.Stage')).toBe('test');
    const settings = stack.properties('OrdersApi').MethodSettings as TemplateObject[];
    expect(settings[0]?.ThrottlingRateLimit).toBe(100);
    expect(JSON.parse(String(stack.properties('AuthConfigParameter').Value))).toEqual({
      issuer: expect.stringMatching(/^https:\/\/cognito-idp\.eu-west-1\.amazonaws\.com\/eu-west-1_\w{9}$/),
      audience: stack.ref('UserPoolClient'),
      jwksUri: expect.stringMatching(/\/\.well-known\/jwks\.json$/),
    });
  });

  it('refuses a parameter value outside the template constraints, and an unknown environment', () => {
    expect(() => new LocalStack({ templatePath: 'template.yaml', parameterOverrides: 'Stage=qa' })).toThrow(
      /Parameter 'Stage' failed to satisfy constraint/,
    );
    expect(() => new LocalStack({ templatePath: 'template.yaml', parameterOverrides: 'Nope=1' })).toThrow(
      /not declared/,
    );
    expect(() => new LocalStack({ templatePath: 'template.yaml', configEnv: 'staging' })).toThrow(
      /no environment "staging"/,
    );
  });
});
