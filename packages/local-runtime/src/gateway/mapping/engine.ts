import velocity from 'velocityjs';
import { javaStringMethods } from './java-string-methods.ts';
import { collectionMethods, JsonList, JsonMap, show } from './values.ts';

type Ast = ReturnType<typeof velocity.parse>[number];

/**
 * velocityjs configured as API Gateway's engine. A reference to nothing renders as nothing (Velocity's default would
 * print the reference's own text), and so does a reference to null: AWS renders `$input.path('$.missing')` and a
 * JSON null as empty (LocalStack's parity test `test_input_path_template_formatting`). JSON lists and maps render
 * with their Java `toString()` (see values.ts), which velocityjs's own formatting of arrays would not give.
 */
const isMap = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof JsonList);

/**
 * Some maps inside `$context` (`identity`, `requestOverride`, `responseOverride`, their `header`s...) print as nothing
 * on AWS, alone or inside `$context` printed whole (recording test_apigateway_sqs.py::test_sqs_amz_json_protocol:
 * `"$context.get($key)"` is "" for `identity`, `requestOverride`, `responseOverride`; `"$context.requestOverride.get(
 * $key)"` is "" for `header`, `querystring`, `path`). Their own values still read as usual.
 */
const blankMaps = (context: unknown): Set<unknown> => {
  const blank = new Set<unknown>();
  if (!isMap(context)) return blank;
  for (const key of ['identity', 'requestOverride', 'responseOverride']) {
    const map = context[key];
    if (!isMap(map)) continue;
    blank.add(map);
    if (key === 'identity') continue;
    for (const inner of Object.values(map)) if (isMap(inner)) blank.add(inner);
  }
  return blank;
};

const showContext = (context: Record<string, unknown>, blank: Set<unknown>): string =>
  `{${Object.entries(context)
    .map(([key, item]) => `${key}=${blank.has(item) || item === null || item === undefined ? '' : show(item)}`)
    .join(', ')}}`;

class ApiGatewayCompile extends velocity.Compile {
  /** Passed to every render, so velocityjs binds its `eval` macro to this compiler once. */
  private readonly builtInMacros = {};

  protected override getReferences(ast: Ast, isVal?: boolean): string {
    const value: unknown = super.getReferences(ast, isVal);
    if (!isVal) return value as string;
    if (value === null) return '';
    if (value instanceof JsonList || value instanceof JsonMap) return show(value);
    if (ast.type === 'references' && ast.id === 'context' && isMap(value)) {
      const blank = blankMaps(this.contextVariable);
      if (blank.has(value)) return '';
      if (!ast.path?.length) return showContext(value, blank);
    }
    return value as string;
  }

  /** `$context` of the render under way (see renderAfresh). */
  private contextVariable: unknown;

  /**
   * A null (or nothing) compared with `""` is equal: AWS renders `#if($result == "")` true for a JSON path that finds
   * nothing (recording test_apigateway_common.py::test_input_path_template_formatting "empty-body",
   * "nested-null-list"), where velocityjs's `null == ""` is false.
   */
  // velocityjs types getExpression as returning a string; it returns whatever the expression evaluates to.
  override getExpression(ast: Ast): string {
    if (ast.type !== 'math' || (ast.operator !== '==' && ast.operator !== '!=')) return super.getExpression(ast);
    const [left, right] = ast.expression.map((part) => this.getExpression(part as Ast) as unknown);
    const nullish = (value: unknown) => value === null || value === undefined;
    const blank = (value: unknown) => nullish(value) || value === '';
    // biome-ignore lint/suspicious/noDoubleEquals: velocityjs's own comparison, kept for every other pair
    const equal = (nullish(left) && blank(right)) || (blank(left) && nullish(right)) || left == right;
    return (ast.operator === '==' ? equal : !equal) as unknown as string;
  }

  /**
   * Renders from the state a new Compile starts in: velocityjs keeps a render's loop scopes, `#define`s, `#macro`s
   * and `#stop` on its compiler, and a new compiler per render rebuilt its configuration every time. Renders are
   * synchronous and a template never renders another, so one compiler per template is never used twice at once.
   */
  renderAfresh(variables: Record<string, unknown>): string {
    this.defines = {};
    this.conditions = [];
    this.local = {};
    this.unescape = {};
    this.macrosStore = {};
    this.runState = { stop: false, break: false };
    this.contextVariable = variables.context;
    return this.render(variables, this.builtInMacros, true);
  }
}

const CONFIG = { escape: false, customMethodHandlers: [...javaStringMethods, ...collectionMethods] };

/** Compiled templates by text: request paths render the same few templates over and over. */
const compiled = new Map<string, ApiGatewayCompile>();
const MAX_CACHED = 500;

const compile = (template: string): ApiGatewayCompile => {
  const cached = compiled.get(template);
  if (cached) return cached;
  let compiler: ApiGatewayCompile;
  try {
    compiler = new ApiGatewayCompile(velocity.parse(template), CONFIG);
  } catch (error) {
    throw new Error(`Mapping template does not parse: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  if (compiled.size >= MAX_CACHED) compiled.clear();
  compiled.set(template, compiler);
  return compiler;
};

/** Renders a template with the given variables. */
export const renderVtl = (template: string, variables: Record<string, unknown>): string => {
  const compiler = compile(template);
  try {
    return compiler.renderAfresh(variables);
  } catch (error) {
    throw new Error(`Mapping template failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
};
