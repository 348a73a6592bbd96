/**
 * The public API of the local runtime: start a SAM template in-process (for tests), and the pieces a project's own
 * tooling reuses — the template loader, the function bundler, the mapping-template renderer.
 */
export { buildFunctions } from './build/build.ts';
export { esbuildOptions, UnsupportedBuildPropertyError } from './build/esbuild-options.ts';
export { esbuildFunctions } from './build/functions.ts';
export { javaStringMethods } from './gateway/mapping/java-string-methods.ts';
export { type MappingInput, renderMappingTemplate } from './gateway/mapping/render.ts';
export { banner } from './runtime/banner.ts';
export type { LocalRoute } from './runtime/local-routes.ts';
export { type LocalRuntime, type RuntimeOptions, RuntimeStartError, startLocalRuntime } from './runtime/start.ts';
export { startSqsService } from './services/sqs/server.ts';
export {
  loadTemplate,
  loadYamlFile,
  parseYaml,
  TemplateLoadError,
  type TemplateObject,
  type TemplateValue,
} from './template/load.ts';
export { LocalStack } from './template/stack.ts';
