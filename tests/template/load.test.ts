import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTemplate, parseYaml, TemplateLoadError } from 'sam-local-runtime';

const workdir = (files: Record<string, string>): string => {
  const dir = mkdtempSync(join(tmpdir(), 'template-load-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
};

describe('parseYaml', () => {
  it('turns every short-form intrinsic into its long form', () => {
    const value = parseYaml(
      [
        'a: !Ref Stage',
        'b: !Sub "${AWS::StackName}-x"',
        'c: !GetAtt Queue.Arn',
        'd: !GetAtt [Queue, QueueName]',
        'e: !If [IsProd, 1, 2]',
        'f: !FindInMap [StageConfig, !Ref Stage, Rate]',
        'g: !Join ["", [a, !Ref B]]',
        'h: !Equals [!Ref EndpointType, PRIVATE]',
        'i: !Select [0, !Split [",", "a,b"]]',
        'j: !Sub ["${X}", { X: !Ref Y }]',
      ].join('\n'),
    );
    expect(value).toEqual({
      a: { Ref: 'Stage' },
      b: { 'Fn::Sub': '${AWS::StackName}-x' },
      c: { 'Fn::GetAtt': ['Queue', 'Arn'] },
      d: { 'Fn::GetAtt': ['Queue', 'QueueName'] },
      e: { 'Fn::If': ['IsProd', 1, 2] },
      f: { 'Fn::FindInMap': ['StageConfig', { Ref: 'Stage' }, 'Rate'] },
      g: { 'Fn::Join': ['', ['a', { Ref: 'B' }]] },
      h: { 'Fn::Equals': [{ Ref: 'EndpointType' }, 'PRIVATE'] },
      i: { 'Fn::Select': [0, { 'Fn::Split': [',', 'a,b'] }] },
      j: { 'Fn::Sub': ['${X}', { X: { Ref: 'Y' } }] },
    });
  });

  it('keeps GetAtt attributes that contain dots (nested attributes)', () => {
    expect(parseYaml('x: !GetAtt Db.Endpoint.Address')).toEqual({ x: { 'Fn::GetAtt': ['Db', 'Endpoint.Address'] } });
  });

  it('reports malformed YAML as a TemplateLoadError naming the file', () => {
    expect(() => parseYaml('a: [1, 2', 'broken.yaml')).toThrow(TemplateLoadError);
    expect(() => parseYaml('a: [1, 2', 'broken.yaml')).toThrow(/^broken\.yaml: /);
  });
});

describe('loadTemplate', () => {
  it('inlines AWS::Include with the parsed local file, recursively and relative to the including file', () => {
    const dir = workdir({
      'template.yaml': [
        'Resources:',
        '  Api:',
        '    Type: AWS::Serverless::Api',
        '    Properties:',
        '      DefinitionBody:',
        "        'Fn::Transform':",
        '          Name: AWS::Include',
        '          Parameters:',
        '            Location: body.yaml',
      ].join('\n'),
      'body.yaml': [
        'openapi: 3.0.1',
        'x:',
        "  'Fn::Sub': '${Fn.Arn}'",
        'nested:',
        '  Fn::Transform:',
        '    Name: AWS::Include',
        '    Parameters: { Location: part.yaml }',
      ].join('\n'),
      'part.yaml': 'answer: 42',
    });
    const template = loadTemplate(join(dir, 'template.yaml'));
    expect(template.Resources).toEqual({
      Api: {
        Type: 'AWS::Serverless::Api',
        Properties: {
          DefinitionBody: { openapi: '3.0.1', x: { 'Fn::Sub': '${Fn.Arn}' }, nested: { answer: 42 } },
        },
      },
    });
  });

  it('leaves other transforms alone', () => {
    const dir = workdir({
      'template.yaml':
        'Resources:\n  X:\n    Type: T\n    Properties:\n      P: { "Fn::Transform": { Name: AWS::Other } }\n',
    });
    expect(loadTemplate(join(dir, 'template.yaml')).Resources).toEqual({
      X: { Type: 'T', Properties: { P: { 'Fn::Transform': { Name: 'AWS::Other' } } } },
    });
  });

  it.each([
    ['a missing included file', 'Location: nowhere.yaml', /nowhere\.yaml: cannot be read \(ENOENT\)/],
    ['an S3 location', 'Location: s3://bucket/body.yaml', /only local files can be inlined/],
    ['a Location that is not a string', 'Location: { Ref: X }', /needs Parameters\.Location as a plain string/],
  ])('rejects %s', (_name, location, message) => {
    const dir = workdir({
      'template.yaml': `Resources:\n  X:\n    Type: T\n    Properties:\n      P:\n        Fn::Transform:\n          Name: AWS::Include\n          Parameters:\n            ${location}\n`,
    });
    expect(() => loadTemplate(join(dir, 'template.yaml'))).toThrow(message);
  });

  it('rejects a file that is not a template', () => {
    const dir = workdir({ 'template.yaml': 'just: a map\n' });
    expect(() => loadTemplate(join(dir, 'template.yaml'))).toThrow(/no Resources map/);
  });
});
