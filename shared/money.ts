/** Prices travel in the API as currency units (79.5) and are stored and computed in cents (7950). */
export function toCents(units: number): number {
  return Math.round(units * 100);
}

export function fromCents(cents: number): number {
  return cents / 100;
}
