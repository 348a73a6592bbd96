/**
 * dynalite's condition parser (KeyConditionExpression, FilterExpression, ConditionExpression) backtracks through each
 * level of parentheses: parsing takes time exponential in their depth. Measured on `id = :v AND (id = :v AND (...))`:
 * 25 ms at 4 levels, 200 ms at 6, 400 ms at 7, 1.4 s at 8, 28 s at 10; redundant ones (`((id = :v))`, which DynamoDB
 * refuses anyway) 11 s at 20. The thread that parses answers nothing else meanwhile, so an expression nested deeper
 * than this is refused before it reaches dynalite, though DynamoDB itself would take it.
 */
export const MAX_PARENTHESES_DEPTH = 7;

const CONDITION_FIELDS = ['KeyConditionExpression', 'FilterExpression', 'ConditionExpression'] as const;

const depthOf = (expression: string): number => {
  let depth = 0;
  let deepest = 0;
  for (const character of expression) {
    if (character === '(') deepest = Math.max(deepest, ++depth);
    else if (character === ')') depth -= 1;
  }
  return deepest;
};

/** The condition expressions of a request: at its top level and in each of TransactWriteItems' items. */
const conditionsOf = (input: Record<string, unknown>): [string, unknown][] => {
  const found: [string, unknown][] = CONDITION_FIELDS.map((field) => [field, input[field]]);
  const items = input.TransactItems;
  if (Array.isArray(items))
    for (const item of items)
      for (const action of Object.values((item ?? {}) as Record<string, unknown>))
        if (typeof action === 'object' && action !== null)
          found.push(['ConditionExpression', (action as Record<string, unknown>).ConditionExpression]);
  return found;
};

/**
 * Why the request is refused before dynalite parses it (DynamoDB's ValidationException message), if it is: a condition
 * expression with parentheses nested past MAX_PARENTHESES_DEPTH.
 */
export const deepExpressionProblem = (body: Buffer): string | undefined => {
  // Most requests carry no condition: the parse is spared them.
  if (!body.includes('Expression') || !body.includes('(')) return undefined;
  let input: unknown;
  try {
    input = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof input !== 'object' || input === null) return undefined;
  for (const [field, expression] of conditionsOf(input as Record<string, unknown>)) {
    if (typeof expression === 'string' && depthOf(expression) > MAX_PARENTHESES_DEPTH)
      return `Invalid ${field}: parentheses nested deeper than ${MAX_PARENTHESES_DEPTH} levels (the local DynamoDB's parser takes time exponential in their depth, so it refuses them)`;
  }
  return undefined;
};
