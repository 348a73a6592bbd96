import velocity from 'velocityjs';
import { javaStringMethods } from '../../vtl/java-string-methods.ts';
import { collectionMethods, JsonList, JsonMap, show } from './values.ts';

type Ast = ReturnType<typeof velocity.parse>[number];

/**
 * velocityjs configured as API Gateway's engine. A reference to nothing renders as nothing (Velocity's default would
 * print the reference's own text), and so does a reference to null: AWS renders `$input.path('$.missing')` and a
 * JSON null as empty (LocalStack's parity test `test_input_path_template_formatting`). JSON lists and maps render
 * with their Java `toString()` (see values.ts), which velocityjs's own formatting of arrays would not give.
 */
class ApiGatewayCompile extends velocity.Compile {
  protected override getReferences(ast: Ast, isVal?: boolean): string {
    const value: unknown = super.getReferences(ast, isVal);
    if (!isVal) return value as string;
    if (value === null) return '';
    if (value instanceof JsonList || value instanceof JsonMap) return show(value);
    return value as string;
  }
}

const CONFIG = { escape: false, customMethodHandlers: [...javaStringMethods, ...collectionMethods] };

/** Parsed templates by text: request paths render the same few templates over and over. */
const parsed = new Map<string, Ast[]>();
const MAX_CACHED = 500;

const parse = (template: string): Ast[] => {
  const cached = parsed.get(template);
  if (cached) return cached;
  let asts: Ast[];
  try {
    asts = velocity.parse(template);
  } catch (error) {
    throw new Error(`Mapping template does not parse: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  if (parsed.size >= MAX_CACHED) parsed.clear();
  parsed.set(template, asts);
  return asts;
};

/**
 * Renders a template with the given variables. The parse is cached, the compiler is not: a velocityjs Compile keeps
 * per-render state (loop scopes, macros, `#stop`), so each render gets a fresh one over the shared syntax tree.
 */
export const renderVtl = (template: string, variables: Record<string, unknown>): string => {
  const asts = parse(template);
  try {
    return new ApiGatewayCompile(asts, CONFIG).render(variables, undefined, true);
  } catch (error) {
    throw new Error(`Mapping template failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
};
