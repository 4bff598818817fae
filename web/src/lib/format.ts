const eur = new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' });
export const money = (n: number | null | undefined) => (n === null || n === undefined ? '' : eur.format(n));
export const when = (iso: string) => new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
export const words = (s: string) => s.replaceAll('_', ' ');
/** "4:05" from seconds. */
export const clock = (secs: number) =>
  `${Math.floor(secs / 60)}:${String(Math.max(0, Math.floor(secs % 60))).padStart(2, '0')}`;
