import { renderMappingTemplate } from '../../src/gateway/mapping/render.ts';
import { recorded } from '../parity/recordings.ts';

const input = { body: '', params: { path: {}, querystring: {}, header: {} } };
const render = (template: string, context: Record<string, unknown> = {}, stageVariables: Record<string, string> = {}) =>
  renderMappingTemplate(template, input, context, stageVariables);

describe('renderMappingTemplate', () => {
  it('reads $context and $stageVariables', () => {
    const context = { requestId: 'r1', authorizer: { principalId: 'alice', claims: { scope: 'orders:read' } } };
    expect(
      render(
        "$context.requestId|$context.authorizer.principalId|$context.authorizer.claims.scope|$stageVariables.env|$stageVariables['env']",
        context,
        { env: 'local' },
      ).output,
    ).toBe('r1|alice|orders:read|local|local');
  });

  it('renders a reference to nothing as nothing', () => {
    expect(render('[$context.nope][$context.identity.apiKey][$stageVariables.nope][$nothing]').output).toBe('[][][][]');
  });

  it('returns the status and headers set on $context.responseOverride', () => {
    const result = render(
      '#set($context.responseOverride.status = 409)#set($context.responseOverride.header.Location = "/x/$context.requestId")ok',
      { requestId: 'r1' },
    );
    const { context, ...rest } = result;
    expect(rest).toEqual({
      output: 'ok',
      responseOverride: { status: 409, header: { Location: '/x/r1' } },
      requestOverride: { header: {}, querystring: {}, path: {} },
    });
    // The context as the template left it, for the integration response's templates to read back.
    expect(context.responseOverride).toEqual({ status: 409, header: { Location: '/x/r1' } });
  });

  it('takes a status set as a string, and ignores one that is not a number', () => {
    expect(render('#set($context.responseOverride.status = "201")').responseOverride.status).toBe(201);
    expect(render('#set($context.responseOverride.status = "soon")').responseOverride).toEqual({ header: {} });
  });

  it('returns the headers, query string and path set on $context.requestOverride', () => {
    const result = render(
      '#set($context.requestOverride.header.X-Stage = $stageVariables.env)#set($context.requestOverride.querystring.page = 2)#set($context.requestOverride.path.id = "o1")',
      {},
      { env: 'local' },
    );
    expect(result.requestOverride).toEqual({
      header: { 'X-Stage': 'local' },
      querystring: { page: '2' },
      path: { id: 'o1' },
    });
    expect(result.responseOverride).toEqual({ header: {} });
  });

  it('starts from the overrides the caller passes, without changing the caller’s objects', () => {
    const context = {
      requestId: 'r1',
      authorizer: { principalId: 'alice' },
      requestOverride: { header: { 'X-Before': 'b' }, querystring: {}, path: {} },
      responseOverride: { header: {} },
    };
    const before = structuredClone(context);
    const result = render(
      '#set($context.requestOverride.header.X-After = "a")#set($context.responseOverride.header.X-R = "r")#set($context.authorizer.principalId = "mallory")#set($context.requestId = "x")',
      context,
    );
    expect(result.requestOverride.header).toEqual({ 'X-Before': 'b', 'X-After': 'a' });
    expect(result.responseOverride.header).toEqual({ 'X-R': 'r' });
    expect(context).toEqual(before);
  });

  it('renders the same template again with fresh state (cached parse, no leftovers)', () => {
    // velocityjs spells Velocity's #stop as #stop(); a compiler reused across renders would stay stopped.
    const template = '#foreach($i in $context.list)$i#end#if($context.stop)#stop()#end.';
    expect(render(template, { list: [1, 2], stop: true }).output).toBe('12');
    expect(render(template, { list: [3] }).output).toBe('3.');
    const defining = '#if($context.define)#define($greeting)hi#end#macro(shout)HEY#end#end[$!greeting]#shout()';
    expect(render(defining, { define: true }).output).toBe('[hi]HEY');
    expect(render(defining).output).toBe('[]');
  });

  it('throws on a template that does not parse, and on one that fails while rendering', () => {
    expect(() => render('#if($a')).toThrow(/does not parse/);
    expect(() => render("$context.s.replaceAll('(', '')", { s: 'x' })).toThrow(/Mapping template failed/);
  });
});

describe('comparisons as AWS makes them (recordings of test_apigateway_common.py::test_input_path_template_formatting)', () => {
  const id = (key: string) => ({ file: 'test_apigateway_common', test: 'test_input_path_template_formatting', key });
  const withBody = (template: string, body: string) =>
    renderMappingTemplate(template, { ...input, body }, {}, {}).output;
  const probe = (path: string) =>
    `#set($result = $input.path("${path}")){"body": $result, "nested": $result.nested, "isNull": #if( $result == $null )"true"#else"false"#end, "isEmptyString": #if( $result == "" )"true"#else"false"#end}`;

  it('finds a null equal to "" (a path to nothing, a JSON null)', () => {
    expect(withBody(probe('$.nonExisting'), '{}')).toBe(recorded(id('empty-body')));
    expect(withBody(probe('$.json.listValue'), '{"json":{"listValue":null}}')).toBe(recorded(id('nested-null-list')));
  });

  it('keeps an empty list unequal to null and to ""', () => {
    expect(withBody(probe('$.json.listValue'), '{"json":{"listValue":[]}}')).toBe(recorded(id('nested-empty-list')));
  });

  it('still compares other values as before', () => {
    expect(withBody('#if("a" == "a")y#end#if(1 != 2)y#end#if($input.path("$.x") != "")y#end', '{"x":"v"}')).toBe('yyy');
  });
});

describe('$context printed (recording test_apigateway_sqs.py::test_sqs_amz_json_protocol)', () => {
  const message = () => {
    const messages = recorded({ file: 'test_apigateway_sqs', test: 'test_sqs_amz_json_protocol', key: 'sqs-messages' });
    return (messages as { Body: Record<string, Record<string, string>> }[])[0]?.Body ?? {};
  };
  const context = {
    apiId: 'a1',
    identity: { sourceIp: '1.2.3.4', user: '' },
    requestOverride: { path: {}, header: {}, querystring: {} },
    responseOverride: { header: {} },
  };
  const entries = (map: string) =>
    `{#foreach( $key in ${map}.keySet() )"$key": "${map}.get($key)"#if($foreach.hasNext),#end#end}`;

  it('prints the maps inside it as nothing, in its order', () => {
    const body = message();
    for (const name of ['requestOverride', 'responseOverride']) {
      expect(JSON.parse(render(entries(`$context.${name}`), context).output)).toEqual(body[name]);
    }
    const printed = JSON.parse(render(entries('$context'), context).output) as Record<string, string>;
    expect([printed.identity, printed.requestOverride, printed.responseOverride]).toEqual([
      body.context?.identity,
      body.context?.requestOverride,
      body.context?.responseOverride,
    ]);
    // The order of a context built here from nothing too.
    const bare = JSON.parse(render(entries('$context.requestOverride')).output) as Record<string, string>;
    expect(Object.keys(bare)).toEqual(Object.keys(body.requestOverride ?? {}));
  });

  it('still reads their values, and prints $context whole with them empty', () => {
    expect(render('$context.identity.sourceIp', context).output).toBe('1.2.3.4');
    expect(render('$context', context).output).toBe('{apiId=a1, identity=, requestOverride=, responseOverride=}');
  });
});
