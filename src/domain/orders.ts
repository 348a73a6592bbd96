import { createHash } from 'node:crypto';
import { findProduct } from './catalog.ts';
import { OutOfStockError, PaymentDeclinedError, PaymentUnavailableError, UnknownProductError } from './errors.ts';
import { eur, type Money } from './money.ts';

export interface OrderItem {
  sku: string;
  quantity: number;
}

export type OrderChannel = 'v1' | 'v2';

/**
 * The workflow input: StartExecution's input from the v1 Lambda and from the v2 direct integration alike. It holds
 * no timestamps, so a retried start with the same order id carries byte-for-byte the same input.
 */
export interface WorkflowInput {
  orderId: string;
  customerId: string;
  items: OrderItem[];
  currency: 'EUR';
  payment: { token: string };
  channel: OrderChannel;
}

export interface PricedLine {
  sku: string;
  name: string;
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
}

/** ValidateOrder's output: the input plus priced lines and the total. */
export interface ValidatedOrder extends WorkflowInput {
  lines: PricedLine[];
  total: Money;
}

/** ReserveInventory's output. */
export interface ReservedOrder extends ValidatedOrder {
  reservationId: string;
}

/** ChargePayment's output. */
export interface ChargedOrder extends ReservedOrder {
  paymentId: string;
}

/** Test tokens of the sample payment provider. */
export const DECLINED_TOKEN = 'tok_declined';
export const FLAKY_TOKEN = 'tok_flaky';

/** Ids derived from the order id: a retried task returns the same reservation / payment, never a second one. */
const derivedId = (prefix: string, orderId: string): string =>
  `${prefix}_${createHash('sha256').update(`${prefix}:${orderId}`).digest('hex').slice(0, 24)}`;

/** Prices each item from the catalogue; an unknown sku fails the whole order. */
export const priceItems = (items: readonly OrderItem[]): { lines: PricedLine[]; total: Money } => {
  const lines = items.map(({ sku, quantity }): PricedLine => {
    const product = findProduct(sku);
    if (product === undefined) throw new UnknownProductError(sku);
    return {
      sku,
      name: product.name,
      quantity,
      unitPrice: product.price,
      lineTotal: eur(product.price.amount * quantity),
    };
  });
  return { lines, total: eur(lines.reduce((sum, line) => sum + line.lineTotal.amount, 0)) };
};

/** The total when there are items and every sku is known (shown while an order is processing), else undefined. */
export const totalOf = (items: readonly OrderItem[]): Money | undefined => {
  if (items.length === 0) return undefined;
  try {
    return priceItems(items).total;
  } catch {
    return undefined;
  }
};

export const validateOrder = <T extends WorkflowInput>(input: T): T & ValidatedOrder => ({
  ...input,
  ...priceItems(input.items),
});

/** Quantities of the same sku on several lines add up before they are checked against stock. */
export const reserveInventory = <T extends ValidatedOrder>(order: T): T & ReservedOrder => {
  const wanted = new Map<string, number>();
  for (const line of order.lines) wanted.set(line.sku, (wanted.get(line.sku) ?? 0) + line.quantity);
  for (const [sku, quantity] of wanted) {
    const product = findProduct(sku);
    if (product === undefined) throw new UnknownProductError(sku);
    if (product.stock < quantity) throw new OutOfStockError(sku);
  }
  return { ...order, reservationId: derivedId('res', order.orderId) };
};

/**
 * `attempt` is the state's retry count ($$.State.RetryCount): `tok_flaky` fails the first try with a retryable
 * error, so the state machine's Retry on PaymentUnavailableError is visible in every run.
 */
export const chargePayment = <T extends ReservedOrder>(order: T, attempt: number): T & ChargedOrder => {
  const { token } = order.payment;
  if (token === DECLINED_TOKEN) throw new PaymentDeclinedError(`Payment for order ${order.orderId} was declined`);
  if (token === FLAKY_TOKEN && attempt < 1) {
    throw new PaymentUnavailableError(`Payment provider unavailable for order ${order.orderId}, try again`);
  }
  return { ...order, paymentId: derivedId('pay', order.orderId) };
};
