/**
 * Writes api/openapi.sam-local.yaml, the view of api/openapi.yaml that `sam local start-api` reads (template.yaml
 * picks it with `Fn::If: [IsSamLocal, ...]`, and samconfig.toml sets `SamLocal=true` for `sam local start-api` only).
 *
 * Why a second file: SAM CLI's route parser allows one `security` entry with one scheme per Lambda proxy route
 * (aws/aws-sam-cli#6628), while API Gateway needs `- ApiKey: []` and `- TokenAuthorizer: []` as two entries to
 * require both. SAM CLI does not evaluate intrinsic functions inside an `AWS::Include`d file, so an `Fn::If` in
 * api/openapi.yaml would reach its parser unresolved; the choice has to be made in template.yaml, between two files.
 *
 * The view keeps what SAM CLI serves, the Lambda proxy (`aws_proxy`) routes, each with one `security` entry: the one
 * naming a Lambda authorizer (which sam local runs) when there is one, else the first (API keys are not emulated by
 * sam local in any case), plus the security schemes those entries name. Nothing is edited by hand.
 *
 *   npm run openapi:sam-local            # rewrite the file
 *   npm run openapi:sam-local -- --check # exit 1 when the file is stale (tests/template/sam-local.test.ts does too)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadYamlFile, type TemplateObject, type TemplateValue } from 'sam-local-runtime';
import { isObject } from 'sam-local-runtime/template/load';
import { stringify } from 'yaml';

export const SOURCE = 'api/openapi.yaml';
export const TARGET = 'api/openapi.sam-local.yaml';

const HEADER = `# GENERATED from ${SOURCE} by \`npm run openapi:sam-local\`: do not edit.
# What \`sam local start-api\` reads (template.yaml: DefinitionBody Fn::If IsSamLocal; samconfig.toml sets SamLocal=true
# for sam local only): the Lambda proxy routes, one security entry each. Deployed stacks use ${SOURCE}.
`;

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'x-amazon-apigateway-any-method']);

/** A scheme sam local can run: a Lambda TOKEN or REQUEST authorizer. */
const isLambdaAuthorizer = (scheme: TemplateValue | undefined): boolean => {
  const authorizer = isObject(scheme) ? scheme['x-amazon-apigateway-authorizer'] : undefined;
  return isObject(authorizer) && ['token', 'request'].includes(String(authorizer.type).toLowerCase());
};

/** One requirement per route: the Lambda authorizer's entry if any, else the first one. */
const oneRequirement = (security: TemplateValue[], schemes: TemplateObject): TemplateValue[] => {
  if (security.length <= 1) return security;
  const lambda = security.find(
    (entry) => isObject(entry) && Object.keys(entry).some((name) => isLambdaAuthorizer(schemes[name])),
  );
  return [lambda ?? (security[0] as TemplateValue)];
};

/** The sam local view of an OpenAPI document (long-form intrinsics, as `loadYamlFile` returns them). */
export const samLocalView = (document: TemplateObject): TemplateObject => {
  const components = isObject(document.components) ? document.components : {};
  const schemes = isObject(components.securitySchemes) ? components.securitySchemes : {};
  const paths: TemplateObject = {};
  const used = new Set<string>();
  for (const [path, item] of Object.entries(isObject(document.paths) ? document.paths : {})) {
    if (!isObject(item)) continue;
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.has(method) || !isObject(operation)) continue;
      const integration = operation['x-amazon-apigateway-integration'];
      if (!isObject(integration) || String(integration.type).toLowerCase() !== 'aws_proxy') continue;
      const view: TemplateObject = {};
      if (operation.operationId !== undefined) view.operationId = operation.operationId;
      if (Array.isArray(operation.security)) {
        view.security = oneRequirement(operation.security, schemes);
        for (const entry of view.security) if (isObject(entry)) for (const name of Object.keys(entry)) used.add(name);
      }
      // Status codes and descriptions only: the schemas they point at stay in the deployed document.
      view.responses = Object.fromEntries(
        Object.entries(isObject(operation.responses) ? operation.responses : { default: {} }).map(
          ([status, response]) => [
            status,
            { description: isObject(response) && response.description !== undefined ? response.description : status },
          ],
        ),
      );
      view['x-amazon-apigateway-integration'] = integration;
      const target = isObject(paths[path]) ? paths[path] : {};
      target[method] = view;
      paths[path] = target;
    }
  }
  const view: TemplateObject = {
    openapi: document.openapi ?? '3.0.1',
    info: { ...(isObject(document.info) ? document.info : {}), description: `The sam local view of ${SOURCE}.` },
  };
  if (document['x-amazon-apigateway-binary-media-types'] !== undefined) {
    view['x-amazon-apigateway-binary-media-types'] = document['x-amazon-apigateway-binary-media-types'];
  }
  view.paths = paths;
  view.components = {
    securitySchemes: Object.fromEntries(Object.entries(schemes).filter(([name]) => used.has(name))),
  };
  return view;
};

/** The text TARGET must hold for the current SOURCE. */
export const samLocalText = (source = SOURCE): string =>
  HEADER + stringify(samLocalView(loadYamlFile(source) as TemplateObject), { lineWidth: 0 });

if (import.meta.main) {
  const expected = samLocalText();
  if (process.argv.includes('--check')) {
    const current = (() => {
      try {
        return readFileSync(TARGET, 'utf8');
      } catch {
        return '';
      }
    })();
    if (current !== expected) {
      process.stderr.write(`${TARGET} is stale: run \`npm run openapi:sam-local\`\n`);
      process.exit(1);
    }
  } else {
    writeFileSync(TARGET, expected);
    process.stdout.write(`wrote ${TARGET}\n`);
  }
}
