import { readFileSync } from 'node:fs';
import { loadYamlFile, type TemplateObject } from 'sam-local-runtime';
import { parse } from 'smol-toml';

type Table = Record<string, Record<string, { parameters: Record<string, unknown> }>>;
const config = parse(readFileSync('samconfig.toml', 'utf8')) as unknown as { version: number } & Table;
/** `[env.command.parameters]`, the shape SAM CLI reads. */
const section = (env: string, command: string): Record<string, unknown> => config[env]?.[command]?.parameters ?? {};
const parameters = (loadYamlFile('template.yaml') as TemplateObject).Parameters as Record<string, TemplateObject>;
const overrides = (env: string): Record<string, string> =>
  Object.fromEntries(
    String(section(env, 'deploy').parameter_overrides ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => pair.split('=') as [string, string]),
  );

describe('samconfig.toml', () => {
  it('is version 0.1 with default, dev, test and prod environments', () => {
    expect(config.version).toBe(0.1);
    expect(
      Object.keys(config)
        .filter((key) => key !== 'version')
        .sort(),
    ).toEqual(['default', 'dev', 'prod', 'test']);
  });

  it.each([
    ['default', 'dev'],
    ['dev', 'dev'],
    ['test', 'test'],
    ['prod', 'prod'],
  ])(
    '%s deploys the %s stage to its own stack, with S3 resolved and the capabilities the template needs',
    (env, stage) => {
      expect(overrides(env).Stage).toBe(stage);
      expect(section(env, 'global').stack_name).toBe(`orders-api-${stage}`);
      expect(section(env, 'global').region).toEqual(expect.any(String));
      expect(section(env, 'deploy')).toMatchObject({
        resolve_s3: true,
        capabilities: 'CAPABILITY_IAM CAPABILITY_AUTO_EXPAND',
      });
    },
  );

  it('overrides only parameters the template declares, with values it allows', () => {
    for (const env of ['default', 'dev', 'test', 'prod']) {
      for (const [name, value] of Object.entries(overrides(env))) {
        expect(parameters[name]).toBeDefined();
        const allowed = parameters[name]?.AllowedValues as string[] | undefined;
        if (allowed) expect(allowed).toContain(value);
      }
    }
  });

  it('asks for confirmation before changing prod, and only prod', () => {
    expect(section('prod', 'deploy').confirm_changeset).toBe(true);
    for (const env of ['default', 'dev', 'test']) expect(section(env, 'deploy').confirm_changeset).toBe(false);
  });

  it('lints on sam validate and builds in parallel with the cache', () => {
    expect(section('default', 'validate').lint).toBe(true);
    expect(section('default', 'build')).toMatchObject({ cached: true, parallel: true });
  });
});
