import { type MappingInput, renderMappingTemplate } from '../../../local/rest/mapping/render.ts';

const input = (body: string, params: Partial<MappingInput['params']> = {}): MappingInput => ({
  body,
  params: { path: {}, querystring: {}, header: {}, ...params },
});
const render = (
  template: string,
  body = '',
  context: Record<string, unknown> = {},
  params: Partial<MappingInput['params']> = {},
) => renderMappingTemplate(template, input(body, params), context, { env: 'local' });

describe('mapping templates', () => {
  const order = JSON.stringify({
    id: 'o1',
    items: [
      { sku: 'a', qty: 1 },
      { sku: 'b', qty: 2 },
    ],
    meta: { tags: ['x'] },
  });

  it('$input.path gives maps and lists usable in VTL; a missing path renders empty', () => {
    expect(
      render("#set($o = $input.path('$'))$o.id:$o.items.size():#foreach($i in $o.items)$i.sku#end", order).output,
    ).toBe('o1:2:ab');
    expect(render("[$input.path('$.nope')]", order).output).toBe('[]');
    expect(render("$input.path('$.items[1].qty')", order).output).toBe('2');
  });

  it('$input.json gives JSON text; $input.body the raw body, empty for an empty body', () => {
    expect(render("$input.json('$.meta')", order).output).toBe('{"tags":["x"]}');
    expect(render("$input.json('$.items[*].sku')", order).output).toBe('["a","b"]');
    expect(render('[$input.body]', '').output).toBe('[]');
    expect(render('$input.body', 'raw text').output).toBe('raw text');
  });

  it('$input.params looks in path, query string, then header', () => {
    const params = { path: { id: 'p' }, querystring: { id: 'q', q: 'only' }, header: { 'X-Id': 'h' } };
    expect(
      render("$input.params('id')/$input.params('q')/$input.params('x-id')/[$input.params('none')]", '', {}, params)
        .output,
    ).toBe('p/only/h/[]');
    expect(render("$input.params().querystring.get('q')", '', {}, params).output).toBe('only');
  });

  it('$util functions follow Java: urlEncode turns spaces into +, escapeJavaScript escapes quotes', () => {
    expect(render('$util.urlEncode("a b&c=d/é")').output).toBe('a+b%26c%3Dd%2F%C3%A9');
    expect(render('$util.urlDecode("a+b%26c")').output).toBe('a b&c');
    expect(render(`$util.escapeJavaScript("say \\"hi\\" it's")`).output).toBe(`say \\"hi\\" it\\'s`);
    expect(render(`$util.escapeJavaScript($context.v).replaceAll("\\\\'", "'")`, '', { v: "o'neil" }).output).toBe(
      "o'neil",
    );
    expect(render('#set($m = $util.parseJson($input.body))$m.a.b', '{"a":{"b":42}}').output).toBe('42');
    expect(render('$util.base64Encode("hello")|$util.base64Decode("aGVsbG8=")').output).toBe('aGVsbG8=|hello');
  });

  it('reads $context and $stageVariables, and returns what the template overrides', () => {
    const result = render(
      '#set($context.responseOverride.status = 409)#set($context.responseOverride.header.Location = "/x/$context.requestId")#set($context.requestOverride.header.X-Stage = $stageVariables.env)ok',
      '',
      { requestId: 'r1' },
    );
    expect(result).toEqual({
      output: 'ok',
      responseOverride: { status: 409, header: { Location: '/x/r1' } },
      requestOverride: { header: { 'X-Stage': 'local' }, querystring: {}, path: {} },
    });
  });

  it('fails loudly on a template that does not parse', () => {
    expect(() => render('#if($a')).toThrow();
  });
});
