/** Amounts are integers in minor units (cents), so totals never meet floating-point rounding. */
export interface Money {
  amount: number;
  currency: 'EUR';
}

export const eur = (amount: number): Money => ({ amount, currency: 'EUR' });
