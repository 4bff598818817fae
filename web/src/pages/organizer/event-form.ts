import type { OrganizerVenue } from '../../../../shared/contracts/organizer';

/** What the organizer typed into the new-event form (strings, as inputs give them). */
export interface EventDraft {
  name: string;
  startsAt: string;
  onSaleAt: string;
  holdMinutes: string;
  maxPerUser: string;
  layout: 'venue' | 'general_admission';
  venueId: string;
  /** Section name → price in euros; blank = not sold for this event. */
  sectionPrices: Record<string, string>;
  capacity: string;
  price: string;
}

/**
 * The `POST /v1/events` body of a draft, or the problems to show next to the fields. Sections at the
 * same price form one price tier (named by its price), so a venue with forty sections needs as many
 * tiers as it has prices. Pure, so it runs in Node tests.
 */
export function eventBody(
  d: EventDraft,
  venue: OrganizerVenue | undefined,
): { body: Record<string, unknown> } | { problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const iso = (local: string) => (local ? new Date(local).toISOString() : '');
  if (!d.name.trim()) problems.name = 'Give the event a name.';
  if (!d.startsAt || Number.isNaN(Date.parse(d.startsAt))) problems.startsAt = 'Choose when the event starts.';
  if (d.onSaleAt && d.startsAt && Date.parse(d.onSaleAt) >= Date.parse(d.startsAt))
    problems.onSaleAt = 'The sale must open before the event starts.';
  const hold = Number(d.holdMinutes);
  if (!(Number.isInteger(hold) && hold >= 1 && hold <= 1440))
    problems.holdMinutes = 'Hold time: a whole number of minutes, 1 to 1440.';
  const limit = Number(d.maxPerUser);
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= 1000))
    problems.maxPerUser = 'Per-buyer limit: a whole number, 1 to 1000.';
  const money = (s: string) => {
    const n = Number(s);
    return s.trim() !== '' && Number.isFinite(n) && n >= 0 && Math.round(n * 100) === n * 100 ? n : null;
  };
  const common = {
    name: d.name.trim(),
    starts_at: iso(d.startsAt),
    ...(d.onSaleAt ? { on_sale_at: iso(d.onSaleAt) } : {}),
    hold_seconds: hold * 60,
    max_per_user: limit,
  };
  if (d.layout === 'general_admission') {
    const capacity = Number(d.capacity);
    if (!(Number.isInteger(capacity) && capacity >= 1)) problems.capacity = 'Capacity: a whole number of at least 1.';
    const price = money(d.price);
    if (price === null) problems.price = 'Price: euros with at most two decimals.';
    if (Object.keys(problems).length) return { problems };
    return { body: { ...common, general_admission: { capacity, price } } };
  }
  if (!venue) return { problems: { ...problems, venueId: 'Choose a venue.' } };
  const tiers = new Map<number, string[]>();
  for (const section of venue.sections) {
    const raw = d.sectionPrices[section] ?? '';
    if (raw.trim() === '') continue;
    const price = money(raw);
    if (price === null)
      problems[`section:${section}`] = `${section}: euros with at most two decimals, or blank to leave it unsold.`;
    else tiers.set(price, [...(tiers.get(price) ?? []), section]);
  }
  if (!tiers.size && !Object.keys(problems).some((k) => k.startsWith('section:')))
    problems.sections = 'Price at least one section.';
  if (Object.keys(problems).length) return { problems };
  const price_tiers = [...tiers]
    .sort(([a], [b]) => b - a)
    .map(([price, sections]) => ({ name: `€${price.toFixed(2)}`, price, sections }));
  return { body: { ...common, venue_id: venue.venue_id, price_tiers } };
}
