import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isObject, loadTemplate, type TemplateObject, type TemplateValue } from 'sam-local-runtime/template/load';

/**
 * AWS Control Tower's proactive controls (the cfn-guard rules npm `@cdklabs/cdk-validator-cfnguard` ships) run on
 * this template the way a Control Tower CloudFormation hook sees it: after the SAM transform, with the stage's
 * mappings, conditions, parameters and pseudo parameters resolved. README, "AWS Control Tower controls".
 */

/**
 * The SourceArn SAM v1.110.0 writes on a WebSocket API's route permissions (`${Api.ApiId}/<stage>/<route>`) and on its
 * authorizer's (`${__ApiId__}/authorizers/*`, `__ApiId__` the API's Ref): this account, this region, one API.
 */
const WEBSOCKET_SOURCE_ARN =
  /^arn:\$\{AWS::Partition\}:execute-api:\$\{AWS::Region\}:\$\{AWS::AccountId\}:\$\{(?:[A-Za-z0-9]+\.ApiId|__ApiId__)\}\/./;

/** Rules the starter accepts, and where. Anything else cfn-guard reports is a new finding. */
export const ACCEPTED: { control: string; why: string; applies: (resource: TemplateObject | undefined) => boolean }[] =
  [
    {
      control: 'CT.LAMBDA.PR.3',
      why: 'functions in a VPC are opt-in for this starter (README, "AWS Control Tower controls")',
      applies: (resource) => resource?.Type === 'AWS::Lambda::Function',
    },
    {
      control: 'CT.APIGATEWAY.PR.5',
      why: 'API Gateway takes an authorizer on the $connect route of a WebSocket API only',
      applies: (resource) =>
        resource?.Type === 'AWS::ApiGatewayV2::Route' &&
        isObject(resource.Properties) &&
        resource.Properties.RouteKey !== '$connect',
    },
    {
      control: 'CT.LAMBDA.PR.2',
      why:
        "the permissions SAM generates for an AWS::Serverless::WebSocketApi name API Gateway's call by SourceArn alone, " +
        "a Fn::Sub of the WebSocket API's id (this account's API, stage and route, or its authorizers); a WebSocket " +
        'API id exists only once deployed, where the hook sees the ARN as a string, which the control accepts',
      applies: (resource) => {
        if (resource?.Type !== 'AWS::Lambda::Permission' || !isObject(resource.Properties)) return false;
        const { Principal, SourceAccount, SourceArn } = resource.Properties;
        const sub = isObject(SourceArn) ? SourceArn['Fn::Sub'] : undefined;
        const text = Array.isArray(sub) ? sub[0] : sub;
        return (
          Principal === 'apigateway.amazonaws.com' &&
          SourceAccount === undefined &&
          typeof text === 'string' &&
          WEBSOCKET_SOURCE_ARN.test(text)
        );
      },
    },
    {
      control: 'CT.CLOUDWATCH.PR.1',
      why: 'the order failure-rate alarm notifies only where the deployer names a topic (AlarmTopicArn, issue 24)',
      applies: (resource) =>
        resource?.Type === 'AWS::CloudWatch::Alarm' &&
        isObject(resource.Properties) &&
        resource.Properties.AlarmActions === undefined,
    },
  ];

/** What CloudFormation puts in for the pseudo parameters at deploy time (an example account and the stack's region). */
export const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::AccountId': '123456789012',
  'AWS::Region': 'eu-west-1',
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
};

export const TEMPLATE = 'template.yaml';
const PACKAGE = 'node_modules/@cdklabs/cdk-validator-cfnguard';
export const RULES = `${PACKAGE}/rules/control-tower/cfn-guard`;
const SAM_TRANSFORM = 'scripts/control-tower/sam-transform.py';

/** The deploy-time parameter values: each parameter's default, then `overrides`. */
export const parameterValues = (
  template: TemplateObject,
  overrides: Record<string, string>,
): Record<string, string> => {
  const declared = (template.Parameters ?? {}) as Record<string, TemplateObject>;
  const defaults = Object.entries(declared)
    .filter(([, parameter]) => parameter.Default !== undefined)
    .map(([name, parameter]) => [name, String(parameter.Default)]);
  return { ...Object.fromEntries(defaults), ...overrides };
};

const NO_VALUE = Symbol('AWS::NoValue');
type Resolved = TemplateValue | typeof NO_VALUE;

/**
 * Resolves what is known before a deployment: Ref to parameters and pseudo parameters, Fn::FindInMap, conditions and
 * Fn::If (AWS::NoValue drops the key), Fn::Sub over known names only. References to resources stay as they are,
 * and resources whose condition is false are left out, as CloudFormation does.
 */
export const resolveForDeployment = (template: TemplateObject, parameters: Record<string, string>): TemplateObject => {
  const known: Record<string, string> = { ...PSEUDO_PARAMETERS, ...parameters };
  const mappings = (template.Mappings ?? {}) as Record<string, Record<string, Record<string, TemplateValue>>>;
  const conditionDefinitions = (template.Conditions ?? {}) as Record<string, TemplateValue>;
  const conditions: Record<string, boolean | undefined> = {};

  const condition = (name: string): boolean | undefined => {
    if (!(name in conditions)) conditions[name] = evaluate(conditionDefinitions[name]);
    return conditions[name];
  };
  const evaluate = (value: TemplateValue | undefined): boolean | undefined => {
    if (!isObject(value)) return undefined;
    if (typeof value.Condition === 'string') return condition(value.Condition);
    const args = Object.values(value)[0];
    if (!Array.isArray(args)) return undefined;
    const [fn] = Object.keys(value);
    if (fn === 'Fn::Equals') {
      const [a, b] = args.map(walk);
      return typeof a === 'object' || typeof b === 'object' ? undefined : String(a) === String(b);
    }
    const operands = args.map(evaluate);
    if (operands.includes(undefined)) return undefined;
    if (fn === 'Fn::Not') return !operands[0];
    if (fn === 'Fn::And') return operands.every(Boolean);
    if (fn === 'Fn::Or') return operands.some(Boolean);
    return undefined;
  };
  const substitute = (text: string, locals: Record<string, Resolved>): string | undefined => {
    let complete = true;
    const out = text.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      const value = name in locals ? locals[name] : known[name];
      if (typeof value === 'string' || typeof value === 'number') return String(value);
      complete = false;
      return whole;
    });
    return complete ? out : undefined;
  };

  const walk = (value: TemplateValue): Resolved => {
    if (Array.isArray(value)) return value.map(walk).filter((item): item is TemplateValue => item !== NO_VALUE);
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [fn] = keys as [string];
      const args = value[fn] as TemplateValue;
      if (fn === 'Ref' && args === 'AWS::NoValue') return NO_VALUE;
      if (fn === 'Ref' && typeof args === 'string' && args in known) return known[args] as string;
      if (fn === 'Fn::FindInMap' && Array.isArray(args)) {
        const [map, top, second] = args.map(walk);
        const found = mappings[String(map)]?.[String(top)]?.[String(second)];
        if (found !== undefined) return found;
      }
      if (fn === 'Fn::If' && Array.isArray(args)) {
        const chosen = condition(String(args[0]));
        if (chosen !== undefined) return walk(args[chosen ? 1 : 2] as TemplateValue);
      }
      if (fn === 'Fn::Sub') {
        const [text, locals] = Array.isArray(args) ? [args[0], walk(args[1] as TemplateValue)] : [args, {}];
        const resolvedLocals = isObject(locals as TemplateValue) ? (locals as Record<string, Resolved>) : {};
        const out = typeof text === 'string' ? substitute(text, resolvedLocals) : undefined;
        if (out !== undefined) return out;
      }
    }
    const entries = Object.entries(value)
      .map(([key, item]) => [key, walk(item)] as const)
      .filter(([, item]) => item !== NO_VALUE);
    return Object.fromEntries(entries) as TemplateObject;
  };

  const resources = Object.entries((template.Resources ?? {}) as Record<string, TemplateObject>).filter(
    ([, resource]) => typeof resource.Condition !== 'string' || condition(resource.Condition) !== false,
  );
  return {
    ...template,
    Resources: Object.fromEntries(resources.map(([id, resource]) => [id, walk(resource) as TemplateValue])),
    Outputs: {},
  };
};

export type Transformed = { template: TemplateObject } | { unavailable: string };

/**
 * The real SAM transform (samtranslator, the code behind AWS::Serverless-2016-10-31), run by `SAM_PYTHON`
 * (default /usr/bin/python3) with whatever PYTHONPATH the caller set. `unavailable` says why it cannot run here.
 */
export const samTransform = (template: TemplateObject, parameters: Record<string, string>): Transformed => {
  const python = process.env.SAM_PYTHON ?? '/usr/bin/python3';
  const args = Object.entries(parameters).map(([name, value]) => `${name}=${value}`);
  const run = spawnSync(python, [SAM_TRANSFORM, ...args], {
    input: JSON.stringify(template),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) return { unavailable: `${python} cannot run (${(run.error as NodeJS.ErrnoException).code})` };
  if (run.status === 3) return { unavailable: `${python}: ${run.stderr.trim()}` };
  if (run.status !== 0) throw new Error(`SAM transform failed (${args.join(' ')}):\n${run.stderr}`);
  return { template: JSON.parse(run.stdout) as TemplateObject };
};

/** The cfn-guard binary the npm package ships for this machine. */
export const guardBinary = (): string => {
  const os = { linux: 'ubuntu', darwin: 'macos' }[process.platform as string];
  const arch = { x64: 'x86_64', arm64: 'aarch64' }[process.arch as string];
  const binary = resolve(`${PACKAGE}/bin/${os}/${arch}/cfn-guard`);
  if (!os || !arch || !existsSync(binary)) {
    throw new Error(`no cfn-guard for ${process.platform}/${process.arch} in ${PACKAGE} (npm ci installs it)`);
  }
  return binary;
};

export type Finding = { control: string; resource: string; type: string };

/** Every (control, resource) pair cfn-guard reports as not compliant, read from its structured JSON output. */
export const readGuardReport = (report: TemplateValue, template: TemplateObject): Finding[] => {
  const found = new Map<string, Finding>();
  const resources = (template.Resources ?? {}) as Record<string, TemplateObject>;
  const add = (control: string | undefined, resource: string) => {
    const finding = { control: control ?? '(no control id)', resource, type: String(resources[resource]?.Type) };
    found.set(`${finding.control} ${resource}`, finding);
  };
  const walk = (node: TemplateValue, control: string | undefined): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item, control);
      return;
    }
    if (!isObject(node)) return;
    const message = isObject(node.messages) ? node.messages.custom_message : undefined;
    const id = typeof message === 'string' ? /\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(message)?.[1] : undefined;
    const here = id ?? control;
    for (const [key, value] of Object.entries(node)) {
      const resource =
        key === 'path' && typeof value === 'string' ? /^\/Resources\/([^/]+)/.exec(value)?.[1] : undefined;
      if (resource) add(here, resource);
      else walk(value, here);
    }
  };
  for (const file of Array.isArray(report) ? report : []) {
    if (isObject(file)) walk(file.not_compliant ?? [], undefined);
  }
  return [...found.values()].sort((a, b) => `${a.control} ${a.resource}`.localeCompare(`${b.control} ${b.resource}`));
};

/** Runs every Control Tower rule over `template` and returns what is not compliant. */
export const runGuard = (template: TemplateObject): Finding[] => {
  const dir = mkdtempSync(join(tmpdir(), 'control-tower-'));
  try {
    const data = join(dir, 'template.json');
    writeFileSync(data, JSON.stringify(template));
    const run = spawnSync(
      guardBinary(),
      [
        'validate',
        '--rules',
        resolve(RULES),
        '--data',
        data,
        '--output-format',
        'json',
        '--show-summary',
        'none',
        '--structured',
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    // cfn-guard exits 19 when a rule fails, 0 when all pass; anything else is its own error.
    if (run.status !== 0 && run.status !== 19) throw new Error(`cfn-guard failed (${run.status}): ${run.stderr}`);
    return readGuardReport(JSON.parse(run.stdout) as TemplateValue, template);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/** The findings no ACCEPTED entry covers. */
export const newFindings = (findings: Finding[], template: TemplateObject): Finding[] => {
  const resources = (template.Resources ?? {}) as Record<string, TemplateObject>;
  return findings.filter(
    (finding) =>
      !ACCEPTED.some(
        (accepted) => accepted.control === finding.control && accepted.applies(resources[finding.resource]),
      ),
  );
};

/** The template with AWS::Include spliced in, as CloudFormation hands it to the SAM transform. */
export const loadForTransform = (): TemplateObject => loadTemplate(TEMPLATE);

/** Without the SAM transform: only the plain CloudFormation resources, which SAM passes through unchanged. */
export const withoutSamResources = (template: TemplateObject): TemplateObject => {
  const { Transform: _transform, Globals: _globals, ...rest } = template;
  const resources = Object.entries((template.Resources ?? {}) as Record<string, TemplateObject>).filter(
    ([, resource]) => !String(resource.Type).startsWith('AWS::Serverless::'),
  );
  return { ...rest, Resources: Object.fromEntries(resources) };
};
