import type { Money } from './money.ts';
import { failureReasonOf, type OrderStatus, orderStatusOf } from './order-status.ts';
import type { OrderItem } from './orders.ts';
import { totalOf } from './orders.ts';

/** What the workflow adapter reads from an execution, free of SDK types. */
export interface ExecutionRecord {
  status: string | undefined;
  input: string | undefined;
  output?: string | undefined;
  startDate: Date | undefined;
  cause?: string | undefined;
}

/**
 * The order as the domain knows it. orders-get returns it as is from the v1 non-proxy integration (without the
 * owner) and the response mapping template reshapes it into the legacy v1 body (see `legacyV1View`).
 */
export interface Order {
  orderId: string;
  customerId: string | undefined;
  status: OrderStatus;
  items: OrderItem[];
  total?: Money;
  createdAt: string;
  failureReason?: string;
}

/** The v2 body: the order without its owner. */
export interface OrderV2View {
  orderId: string;
  status: OrderStatus;
  items: OrderItem[];
  total?: Money;
  createdAt: string;
  failureReason?: string;
}

/** The legacy v1 body. Built by the mapping template in API Gateway; kept here to document and test the mapping. */
export interface OrderV1View {
  id: string;
  state: OrderStatus;
  lines: { sku: string; qty: number }[];
  created: string;
}

const parseObject = (text: string | undefined): Record<string, unknown> => {
  if (text === undefined || text === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
};

const isItem = (value: unknown): value is OrderItem =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as OrderItem).sku === 'string' &&
  typeof (value as OrderItem).quantity === 'number';

const isMoney = (value: unknown): value is Money =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Money).amount === 'number' &&
  typeof (value as Money).currency === 'string';

/** Builds the order from its execution: the input holds what was ordered, the output (once done) the total. */
export const orderFromExecution = (orderId: string, execution: ExecutionRecord): Order => {
  const input = parseObject(execution.input);
  const output = parseObject(execution.output);
  const items = Array.isArray(input.items)
    ? input.items.filter(isItem).map(({ sku, quantity }) => ({ sku, quantity }))
    : [];
  const status = orderStatusOf(execution.status);
  const order: Order = {
    orderId,
    customerId: typeof input.customerId === 'string' ? input.customerId : undefined,
    status,
    items,
    createdAt: (execution.startDate ?? new Date(0)).toISOString(),
  };
  const total = isMoney(output.total)
    ? { amount: output.total.amount, currency: output.total.currency }
    : totalOf(items);
  if (total !== undefined) order.total = total as Money;
  if (status === 'FAILED') {
    const reason = failureReasonOf(execution.cause);
    if (reason !== undefined) order.failureReason = reason;
  }
  return order;
};

/** An order is only visible to the caller who placed it; to anyone else it does not exist (404, not 403). */
export const isOwnedBy = (order: Order, customerId: string): boolean => order.customerId === customerId;

export const v2View = (order: Order): OrderV2View => {
  const { customerId: _owner, ...view } = order;
  return view;
};

export const legacyV1View = (order: Order): OrderV1View => ({
  id: order.orderId,
  state: order.status,
  lines: order.items.map(({ sku, quantity }) => ({ sku, qty: quantity })),
  created: order.createdAt,
});
