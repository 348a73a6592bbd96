import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isObject, loadTemplate, type TemplateObject, type TemplateValue } from 'sam-local-runtime/template/load';

import { resolveForDeployment } from './resolve.ts';

export { parameterValues, resolveForDeployment, STACK } from './resolve.ts';

/**
 * AWS Control Tower's proactive controls (the cfn-guard rules npm `@cdklabs/cdk-validator-cfnguard` ships) run on
 * this template the way a Control Tower CloudFormation hook sees it: after the SAM transform, every intrinsic
 * function resolved (resolve.ts). README, "AWS Control Tower controls".
 */

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
      control: 'CT.CLOUDWATCH.PR.1',
      why: 'the order failure-rate alarm notifies only where the deployer names a topic (AlarmTopicArn, issue 24)',
      applies: (resource) =>
        resource?.Type === 'AWS::CloudWatch::Alarm' &&
        isObject(resource.Properties) &&
        resource.Properties.AlarmActions === undefined,
    },
  ];

export const TEMPLATE = 'template.yaml';
const PACKAGE = 'node_modules/@cdklabs/cdk-validator-cfnguard';
export const RULES = `${PACKAGE}/rules/control-tower/cfn-guard`;
const SAM_TRANSFORM = 'scripts/control-tower/sam-transform.py';

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

/**
 * Without the SAM transform: only the plain CloudFormation resources, which SAM passes through unchanged, resolved
 * against the whole template (they refer to its SAM resources: `!Ref CatalogFunction`, `!Ref OrdersApi.Stage`).
 */
export const plainResources = (template: TemplateObject, parameters: Record<string, string>): TemplateObject => {
  const plain = (resource: TemplateObject) => !String(resource.Type).startsWith('AWS::Serverless::');
  const { Transform: _transform, Globals: _globals, ...rest } = resolveForDeployment(template, parameters, plain);
  return rest;
};
