import { type MappingInput, renderMappingTemplate } from '../../src/gateway/mapping/render.ts';

const render = (template: string, body = '', params: Partial<MappingInput['params']> = {}): string =>
  renderMappingTemplate(template, { body, params: { path: {}, querystring: {}, header: {}, ...params } }, {}, {})
    .output;

const order = JSON.stringify({
  id: 'o1',
  items: [
    { sku: 'a', qty: 1 },
    { sku: 'b', qty: 2 },
  ],
  meta: { tags: ['x', 'y'], note: null },
  empty: [],
});

describe('$input.path', () => {
  it('gives maps a template can walk', () => {
    expect(render("#set($o = $input.path('$'))$o.id|$o.meta.tags[1]|$o.get('id')", order)).toBe('o1|y|o1');
    expect(render("#foreach($k in $input.path('$.meta').keySet())$k;#end", order)).toBe('tags;note;');
  });

  it('gives lists with size(), index access and #foreach with $foreach.hasNext', () => {
    expect(
      render(
        "#set($items = $input.path('$.items'))$items.size():$items[0].sku:#foreach($i in $items)$i.sku=$i.qty#if($foreach.hasNext),#end#end",
        order,
      ),
    ).toBe('2:a:a=1,b=2');
    expect(render("$input.path('$.items[1].qty')", order)).toBe('2');
    expect(render("$input.path('$.empty').size()|$input.path('$.empty').isEmpty()", order)).toBe('0|true');
  });

  it('renders a list as JSON and a map in Java form, as API Gateway does', () => {
    expect(render("$input.path('$.items')", order)).toBe('[{"sku":"a","qty":1},{"sku":"b","qty":2}]');
    expect(render("$input.path('$.meta')", order)).toBe('{tags=["x","y"], note=null}');
    expect(render("$input.path('$.items[0]')", order)).toBe('{sku=a, qty=1}');
    expect(render("$input.path('$.meta').toString()", order)).toBe('{tags=["x","y"], note=null}');
  });

  it("hands out the request's own document: a #set on what it selects shows in $input.json", () => {
    const template =
      "#set($root = $input.path('$'))#set($root.total = 3)#set($item = $input.path('$.items[0]'))#set($item.qty = 9)$input.json('$.total')|$input.json('$.items[0]')|$root.items[0].qty";
    expect(render(template, order)).toBe('3|{"sku":"a","qty":9}|9');
  });

  it('selects a list for an indefinite path (wildcard, filter, deep scan)', () => {
    expect(render("$input.path('$.items[*].sku')", order)).toBe('["a","b"]');
    expect(render("$input.path('$.items[?(@.qty > 1)].sku')", order)).toBe('["b"]');
    expect(render("$input.path('$..sku').size()", order)).toBe('2');
    expect(render("$input.path('$.nothing[*]').size()", order)).toBe('0');
  });

  it('renders nothing for a missing path, a JSON null, an empty body or a body that is not JSON', () => {
    expect(render("[$input.path('$.nope')][$input.path('$.nope.deeper')]", order)).toBe('[][]');
    expect(render("[$input.path('$.meta.note')][$input.path('$.meta').note]", order)).toBe('[][]');
    expect(render('[$input.path(\'$.a\')]#if("$!input.path(\'$.a\')" == "")none#end', '')).toBe('[]none');
    expect(render("[$input.path('$.a')][$input.path('$')]", 'not json')).toBe('[][]');
  });

  it('reads paths without the leading $ as Jayway does', () => {
    expect(render("$input.path('id')", order)).toBe('o1');
  });

  it('gives scalars of a scalar document', () => {
    expect(render("$input.path('$')", '"text"')).toBe('text');
    expect(render("$input.path('$')|[$input.path('$.a')]", '0')).toBe('0|[]');
  });
});

describe('$input.json', () => {
  it('gives the JSON text of what the path selects', () => {
    expect(render("$input.json('$.meta')", order)).toBe('{"tags":["x","y"],"note":null}');
    expect(render("$input.json('$.items[*].sku')", order)).toBe('["a","b"]');
    expect(render("$input.json('$.id')", order)).toBe('"o1"');
    expect(render("$input.json('$.items[0].qty')", order)).toBe('1');
    expect(render("$input.json('$.meta.note')", order)).toBe('null');
    expect(render("$input.json('$')", order)).toBe(order);
  });

  it('gives an empty JSON string for a missing path or a body that is not JSON', () => {
    expect(render("$input.json('$.nope')", order)).toBe('""');
    expect(render("$input.json('$.message')", 'not json')).toBe('""');
    expect(render("$input.json('$.message')", '"#foobar123"')).toBe('""');
  });

  it('sees an empty body as {}', () => {
    expect(render("$input.json('$')", '')).toBe('{}');
    expect(render("$input.json('$.a')", '')).toBe('""');
  });
});

describe('$input.body', () => {
  it('is the raw payload', () => {
    expect(render('$input.body', 'raw text')).toBe('raw text');
    expect(render('$input.body', '{"a": 1}')).toBe('{"a": 1}');
  });

  it('is {} for an empty payload, as API Gateway renders it', () => {
    expect(render('[$input.body]', '')).toBe('[{}]');
    expect(render('$util.urlEncode($input.body)', '')).toBe('%7B%7D');
  });
});

describe('$input.params', () => {
  const params = {
    path: { id: 'p', orderId: 'ord_1' },
    querystring: { id: 'q', q: 'only', empty: '' },
    header: { 'x-id': 'h', 'content-type': 'application/json' },
  };

  it('looks a name up in path, then query string, then header', () => {
    expect(render("$input.params('id')/$input.params('q')/$input.params('X-Id')", '', params)).toBe('p/only/h');
  });

  it('gives an empty string for a parameter that is not there', () => {
    expect(render("[$input.params('none')][$input.params('empty')][$input.params('toString')]", '', params)).toBe(
      '[][][]',
    );
  });

  it('gives the map of every parameter by type', () => {
    expect(render("$input.params().querystring.get('q')|$input.params().path.orderId", '', params)).toBe('only|ord_1');
    expect(render('#foreach($type in $input.params().keySet())$type;#end', '', params)).toBe(
      'path;querystring;header;',
    );
  });

  it('matches header names without regard to case, and lists them as received', () => {
    expect(render("$input.params().header.get('Content-Type')|$input.params().header.get('X-ID')", '', params)).toBe(
      'application/json|h',
    );
    expect(render('#foreach($h in $input.params().header.keySet())$h;#end', '', params)).toBe('x-id;content-type;');
  });

  it('copies the parameters, so a template cannot change the request', () => {
    const querystring = { q: 'only' };
    render("$input.params().querystring.put('q', 'changed')", '', { querystring });
    expect(querystring).toEqual({ q: 'only' });
  });
});

describe('hostile JSON', () => {
  it('keeps a __proto__ key as data', () => {
    expect(render(`$input.path('$').keySet()|$input.path('$.__proto__.x')`, '{"__proto__": {"x": 1}}')).toBe(
      '[__proto__]|1',
    );
  });
});
