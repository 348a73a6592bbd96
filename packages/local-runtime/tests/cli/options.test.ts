import { samLocalFlags } from '../../src/cli/flags.ts';
import { joinParameterOverrides, parseCommandLine, resolveFlags, UsageError } from '../../src/cli/options.ts';
import { parseParameterOverrides } from '../../src/template/parameters.ts';

/** The command line as click reads SAM CLI's: spellings, nargs, and click's precedence of the value sources. */
const FLAGS = samLocalFlags('start-api');

describe('parseCommandLine', () => {
  it('reads long, short, attached and = spellings, repeated flags and negatives', () => {
    const { given, positionals } = parseCommandLine(
      ['-p3000', '--host=0.0.0.0', '-t', 'a.yaml', '-d', '5858', '--debug-port', '5859', '--no-watch', 'extra'],
      FLAGS,
    );
    expect(Object.fromEntries(given)).toEqual({
      port: '3000',
      host: '0.0.0.0',
      template: 'a.yaml',
      'debug-port': ['5858', '5859'],
      watch: false,
    });
    expect(positionals).toEqual(['extra']);
    expect(parseCommandLine(['--template-file', 'b.yaml', '-ii', 'img'], FLAGS).given.get('template')).toBe('b.yaml');
  });

  it("takes every value up to the next flag for --parameter-overrides (SAM CLI's OptionNargs)", () => {
    const { given } = parseCommandLine(['--parameter-overrides', 'A=1', 'B=two words', '--port', '1'], FLAGS);
    expect(given.get('parameter-overrides')).toEqual(['A=1', 'B=two words']);
    const joined = joinParameterOverrides(given.get('parameter-overrides') as string[]);
    expect(parseParameterOverrides(joined)).toEqual({ A: '1', B: 'two words' });
    expect(parseParameterOverrides(joinParameterOverrides(['A=1 B="x y"', 'ParameterKey=C,ParameterValue=3']))).toEqual(
      { A: '1', B: 'x y', C: '3' },
    );
  });

  it('refuses an unknown flag, a missing value, and a value on a boolean', () => {
    expect(() => parseCommandLine(['--nope'], FLAGS)).toThrow(new UsageError('no such option: --nope'));
    expect(() => parseCommandLine(['--port', '--host', 'x'], FLAGS)).toThrow('--port requires a value');
    expect(() => parseCommandLine(['--no-watch=1'], FLAGS)).toThrow('--no-watch takes no value');
  });
});

describe('resolveFlags', () => {
  const config = {
    table: '[default.local_start_api',
    values: { port: 4000, host: '0.0.0.0', template_file: 'c.yaml', no_watch: true, debug_port: 9229 },
  };

  it('takes the command line, then the environment variable, then the samconfig table', () => {
    const given = parseCommandLine(['--port', '5000'], FLAGS).given;
    const resolved = resolveFlags(FLAGS, given, config, { SAM_DEBUG_PORT: '5858' });
    expect(resolved.get('port')).toEqual({ value: '5000', source: 'command line' });
    expect(resolved.get('host')).toEqual({ value: '0.0.0.0', source: '[default.local_start_api.parameters]' });
    expect(resolved.get('debug-port')).toEqual({ value: ['5858'], source: '$SAM_DEBUG_PORT' });
    // SAM CLI reads --template-file's value from `template_file` (and `template`); `no_watch = true` is --no-watch.
    expect(resolved.get('template')?.value).toBe('c.yaml');
    expect(resolved.get('watch')?.value).toBe(false);
  });
});
