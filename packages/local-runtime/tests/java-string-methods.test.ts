import velocity from 'velocityjs';
import { javaStringMethods } from '../src/gateway/mapping/java-string-methods.ts';

const render = (template: string, context: Record<string, unknown> = {}) =>
  velocity.render(template, context, {}, { customMethodHandlers: javaStringMethods });

describe('java.lang.String methods in mapping templates', () => {
  it('replaceAll and replaceFirst take regular expressions, as in Java', () => {
    expect(render(`$s.replaceAll("\\\\'", "'")`, { s: "o\\'brien \\'x" })).toBe("o'brien 'x");
    expect(render(`$s.replaceAll('-', '')`, { s: 'a-b-c' })).toBe('abc');
    expect(render(`$s.replaceFirst('^\\[NotFound\\] *', '')`, { s: '[NotFound] Order x' })).toBe('Order x');
    expect(render(`$s.replaceAll('(\\d+)', '<$1>')`, { s: 'a1b22' })).toBe('a<1>b<22>');
  });

  it('reads Java replacement escapes: \\$ is a literal dollar', () => {
    expect(render(`$s.replaceAll('x', '\\$1')`, { s: 'axb' })).toBe('a$1b');
  });

  it('matches the whole string, and offers contains, equals, length, isEmpty and split', () => {
    expect(render(`$s.matches('ord_[a-z0-9]+')`, { s: 'ord_abc' })).toBe('true');
    expect(render(`$s.matches('ord')`, { s: 'ord_abc' })).toBe('false');
    expect(render(`$s.contains('Already')`, { s: 'ExecutionAlreadyExists' })).toBe('true');
    expect(render(`$s.equals('a')`, { s: 'a' })).toBe('true');
    expect(render(`$s.equalsIgnoreCase('A')`, { s: 'a' })).toBe('true');
    expect(render('$s.length()', { s: 'four' })).toBe('4');
    expect(render('$s.isEmpty()', { s: '' })).toBe('true');
    expect(render(`#foreach($p in $s.split(',\\s*'))[$p]#end`, { s: 'a, b,c' })).toBe('[a][b][c]');
  });

  it('leaves methods of other types to velocityjs', () => {
    expect(render('$list.size()', { list: [1, 2] })).toBe('2');
  });
});
