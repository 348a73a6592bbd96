import * as z from 'zod/mini';
// The one locale, not `z.locales.en` (that namespace drags every language into the bundle: +260 KB).
import english from 'zod/v4/locales/en.js';
import { ValidationError } from './errors.ts';
import { orderIdPattern } from './order-id.ts';

/**
 * zod schemas of the order shapes (zod/mini: the full build costs ~40 ms of cold start). The HTTP body rules are
 * the same as the `CreateOrder` model in api/openapi.yaml, so API Gateway and the handler reject the same bodies.
 */
const item = z.object({
  sku: z.string().check(z.minLength(1), z.maxLength(64)),
  quantity: z.int().check(z.gte(1), z.lte(100)),
});

const items = z.array(item).check(z.minLength(1), z.maxLength(50));
const token = z.string().check(z.minLength(1), z.maxLength(128));
const payment = z.object({ token });
const money = z.object({ amount: z.int(), currency: z.literal('EUR') });

/**
 * Strict like the model (`additionalProperties: false` at every level): a misspelt field is an error the caller
 * sees, not a value silently dropped.
 */
export const createOrderBody = z.strictObject({
  items: z
    .array(z.strictObject({ sku: item.shape.sku, quantity: item.shape.quantity }))
    .check(z.minLength(1), z.maxLength(50)),
  currency: z.optional(z.literal('EUR')),
  payment: z.strictObject({ token }),
});

export const orderIdSchema = z
  .string()
  .check(z.regex(orderIdPattern, 'must look like ord_ followed by 20-40 [0-9a-z]'));

/** Task inputs are loose objects: each task returns its input plus its own fields, so nothing may be dropped. */
const workflowShape = {
  orderId: orderIdSchema,
  customerId: z.string().check(z.minLength(1)),
  items,
  currency: z.literal('EUR'),
  payment,
  channel: z.enum(['v1', 'v2']),
};

export const workflowInput = z.looseObject(workflowShape);

const line = z.object({
  sku: z.string(),
  name: z.string(),
  quantity: z.int().check(z.gte(1)),
  unitPrice: money,
  lineTotal: money,
});

export const validatedOrder = z.looseObject({ ...workflowShape, lines: z.array(line), total: money });

export const reservedOrder = z.looseObject({
  ...workflowShape,
  lines: z.array(line),
  total: money,
  reservationId: z.string(),
});

export const chargeTaskInput = z.object({ order: reservedOrder, attempt: z.optional(z.int().check(z.gte(0))) });

/** zod/mini ships no messages (every issue would read "Invalid input"); a 400 must say what is wrong. */
const messages = english().localeError;

/** Parses or throws a ValidationError that lists every bad field (`items.0.quantity: Too big: ...`). */
export const parseOrThrow = <S extends z.ZodMiniType>(schema: S, value: unknown, what: string): z.output<S> => {
  const result = schema.safeParse(value, { error: messages });
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
  throw new ValidationError(`Invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
};
