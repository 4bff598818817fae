import { describe, expect, it } from 'vitest';
import { createEventSchema } from '../../shared/contracts/events';
import { eventBody, type EventDraft } from '../../web/src/pages/organizer/event-form';

const venue = {
  venue_id: '00000000-0000-4000-8000-0000000000aa',
  name: 'Arena',
  city: 'Oslo',
  seated_capacity: 100,
  sections: ['Floor', 'Lower', 'Upper'],
};
const draft = (over: Partial<EventDraft>): EventDraft => ({
  name: 'Gala',
  startsAt: '2031-06-01T20:00',
  onSaleAt: '2031-05-01T10:00',
  holdMinutes: '5',
  maxPerUser: '4',
  layout: 'venue',
  venueId: venue.venue_id,
  sectionPrices: {},
  capacity: '',
  price: '',
  ...over,
});

describe('organizer new-event form', () => {
  it('groups sections by price into tiers and builds a body the API schema accepts', () => {
    const out = eventBody(draft({ sectionPrices: { Floor: '120', Lower: '80.50', Upper: '80.5' } }), venue);
    if (!('body' in out)) throw new Error(JSON.stringify(out.problems));
    expect(out.body).toMatchObject({
      name: 'Gala',
      hold_seconds: 300,
      max_per_user: 4,
      venue_id: venue.venue_id,
      price_tiers: [
        { name: '€120.00', price: 120, sections: ['Floor'] },
        { name: '€80.50', price: 80.5, sections: ['Lower', 'Upper'] },
      ],
    });
    expect(createEventSchema.safeParse(out.body).success).toBe(true);
  });

  it('builds a general-admission body the API schema accepts', () => {
    const out = eventBody(
      draft({ layout: 'general_admission', capacity: '5000', price: '49.99', onSaleAt: '' }),
      undefined,
    );
    if (!('body' in out)) throw new Error(JSON.stringify(out.problems));
    expect(out.body).toMatchObject({ general_admission: { capacity: 5000, price: 49.99 } });
    expect(out.body).not.toHaveProperty('on_sale_at');
    expect(createEventSchema.safeParse(out.body).success).toBe(true);
  });

  it('names each problem by its field instead of sending a request the API would refuse', () => {
    const out = eventBody(
      draft({
        name: ' ',
        onSaleAt: '2031-07-01T10:00',
        holdMinutes: '0',
        maxPerUser: '2.5',
        sectionPrices: { Floor: '1.234' },
      }),
      venue,
    );
    expect('problems' in out && Object.keys(out.problems).sort()).toEqual([
      'holdMinutes',
      'maxPerUser',
      'name',
      'onSaleAt',
      'section:Floor',
    ]);
    const none = eventBody(draft({}), venue);
    expect('problems' in none && none.problems).toEqual({ sections: 'Price at least one section.' });
  });
});
