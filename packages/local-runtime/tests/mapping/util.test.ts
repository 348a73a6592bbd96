import { renderMappingTemplate } from '../../src/gateway/mapping/render.ts';

const render = (template: string, context: Record<string, unknown> = {}, body = ''): string =>
  renderMappingTemplate(template, { body, params: { path: {}, querystring: {}, header: {} } }, context, {}).output;

describe('$util.escapeJavaScript', () => {
  it("escapes quotes, backslash and slash as commons-lang does; ' becomes \\'", () => {
    expect(render('$util.escapeJavaScript($context.v)', { v: `say "hi" it's a\\b/c` })).toBe(
      `say \\"hi\\" it\\'s a\\\\b\\/c`,
    );
  });

  it('escapes control characters, and every character above 0x7F as \\uXXXX (UTF-16 units)', () => {
    expect(render('$util.escapeJavaScript($context.v)', { v: 'a\nb\tc\r\u0001\u001f\u007f' })).toBe(
      'a\\nb\\tc\\r\\u0001\\u001F\u007f',
    );
    expect(render('$util.escapeJavaScript($context.v)', { v: 'é€😀' })).toBe('\\u00E9\\u20AC\\uD83D\\uDE00');
  });

  it('with the .replaceAll("\\\\\'", "\'") idiom, gives a valid JSON string body', () => {
    const v = `o'neil "the" \\ / é\n`;
    const output = render(`{"v": "$util.escapeJavaScript($context.v).replaceAll("\\\\'", "'")"}`, { v });
    expect(JSON.parse(output)).toEqual({ v });
  });

  it('renders nothing for a missing value', () => {
    expect(render('[$util.escapeJavaScript($context.missing)]')).toBe('[]');
  });
});

describe('$util.urlEncode and urlDecode', () => {
  it('encode as java.net.URLEncoder: space is +, .-*_ stay, the rest %XX of UTF-8 in upper case', () => {
    expect(render('$util.urlEncode("a b&c=d/é")')).toBe('a+b%26c%3Dd%2F%C3%A9');
    expect(render(`$util.urlEncode($context.v)`, { v: "*-._~!'()+" })).toBe('*-._%7E%21%27%28%29%2B');
  });

  it('decode + as a space and %XX as UTF-8', () => {
    expect(render('$util.urlDecode("a+b%26c%C3%A9")')).toBe('a b&cé');
    expect(render('$util.urlDecode($util.urlEncode($context.v))', { v: 'x = 1 & y = "é€😀"' })).toBe(
      'x = 1 & y = "é€😀"',
    );
  });

  it('fail on a broken % escape, as Java does', () => {
    expect(() => render('$util.urlDecode("100%")')).toThrow(/urlDecode/);
    expect(() => render('$util.urlDecode("%zz")')).toThrow(/urlDecode/);
  });
});

describe('$util.base64Encode and base64Decode', () => {
  it('round-trip UTF-8 text', () => {
    expect(render('$util.base64Encode("hello")|$util.base64Decode("aGVsbG8=")')).toBe('aGVsbG8=|hello');
    expect(render('$util.base64Decode($util.base64Encode("é€"))')).toBe('é€');
  });
});

describe('$util.parseJson', () => {
  it('gives maps and lists a template can walk', () => {
    const body = JSON.stringify({ errorMessage: JSON.stringify({ key1: 'var1', key2: { arr: [1, 2, 3] } }) });
    expect(
      render(
        "#set($e = $util.parseJson($input.path('$.errorMessage')))$e.key1|$e.key2.arr[0]|$e.key2.arr.size()|$e.key2.arr",
        {},
        body,
      ),
    ).toBe('var1|1|3|[1,2,3]');
  });

  it('fails on text that is not JSON', () => {
    expect(() => render('$util.parseJson("{nope")')).toThrow(/parseJson/);
  });
});
