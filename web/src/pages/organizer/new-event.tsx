import { useState } from 'preact/hooks';
import type { OrganizerVenue } from '../../../../shared/contracts/organizer';
import { ApiError } from '../../lib/api';
import type { PageContext } from '../../lib/page';
import { eventBody, type EventDraft } from './event-form';

const EMPTY: EventDraft = {
  name: '',
  startsAt: '',
  onSaleAt: '',
  holdMinutes: '10',
  maxPerUser: '8',
  layout: 'venue',
  venueId: '',
  sectionPrices: {},
  capacity: '',
  price: '',
};

/** The new-event form: a venue layout with a price per section (or general admission), on-sale time, hold time and per-buyer limit. */
export function NewEvent({
  ctx,
  venues,
  onCreated,
}: {
  ctx: PageContext;
  venues: OrganizerVenue[];
  onCreated: () => void;
}) {
  const [d, setD] = useState<EventDraft>({
    ...EMPTY,
    layout: venues.length ? 'venue' : 'general_admission',
    venueId: venues[0]?.venue_id ?? '',
  });
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const venue = venues.find((v) => v.venue_id === d.venueId);
  const set = (patch: Partial<EventDraft>) => setD((cur) => ({ ...cur, ...patch }));
  const field = (
    key: keyof EventDraft,
    label: string,
    type: 'text' | 'number' | 'datetime-local',
    extra: Record<string, string> = {},
  ) => (
    <label>
      {label}
      <input
        name={key}
        // preact types `type` as a union keyed by input kind; this helper serves three kinds.
        {...({ type } as { type: 'text' })}
        value={d[key] as string}
        aria-invalid={problems[key] ? 'true' : undefined}
        aria-describedby={problems[key] ? `p-${key}` : undefined}
        onInput={(e) => set({ [key]: e.currentTarget.value })}
        {...extra}
      />
      {problems[key] && (
        <span id={`p-${key}`} class="error">
          {problems[key]}
        </span>
      )}
    </label>
  );

  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    const out = eventBody(d, venue);
    if ('problems' in out) {
      setProblems(out.problems);
      ctx.announce('The event was not created: check the highlighted fields.');
      return;
    }
    setProblems({});
    setBusy(true);
    try {
      await ctx.api('POST', '/v1/events', out.body);
      ctx.announce(`${d.name} created.`);
      setD({ ...EMPTY, layout: d.layout, venueId: d.venueId });
      onCreated();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'The event was not created.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card org-form" onSubmit={(e) => void submit(e)} aria-labelledby="new-event-title" noValidate>
      <h2 id="new-event-title">New event</h2>
      {field('name', 'Name', 'text', { maxLength: '200', autoComplete: 'off' })}
      <div class="org-two">
        {field('startsAt', 'Starts', 'datetime-local')}
        {field('onSaleAt', 'On sale from (blank: now)', 'datetime-local')}
      </div>
      <div class="org-two">
        {field('holdMinutes', 'Hold time (minutes)', 'number', { min: '1', max: '1440' })}
        {field('maxPerUser', 'Per-buyer limit (tickets)', 'number', { min: '1', max: '1000' })}
      </div>
      <fieldset>
        <legend>Layout</legend>
        <label class="inline">
          <input
            type="radio"
            name="layout"
            checked={d.layout === 'venue'}
            disabled={!venues.length}
            onChange={() => set({ layout: 'venue' })}
          />{' '}
          Seated, from a venue
        </label>
        <label class="inline">
          <input
            type="radio"
            name="layout"
            checked={d.layout === 'general_admission'}
            onChange={() => set({ layout: 'general_admission' })}
          />{' '}
          General admission
        </label>
      </fieldset>
      {d.layout === 'venue' ? (
        <>
          <label>
            Venue
            <select
              name="venueId"
              value={d.venueId}
              onChange={(e) => set({ venueId: e.currentTarget.value, sectionPrices: {} })}
            >
              {venues.map((v) => (
                <option key={v.venue_id} value={v.venue_id}>
                  {v.name}, {v.city} ({v.seated_capacity} seats)
                </option>
              ))}
            </select>
          </label>
          {venue && (
            <fieldset class="org-sections">
              <legend>Price per section in € (sections at one price form a price tier; blank: not sold)</legend>
              {venue.sections.map((s) => (
                <label key={s}>
                  {s}
                  <input
                    name={`price-${s}`}
                    type="number"
                    min="0"
                    step="0.01"
                    inputMode="decimal"
                    value={d.sectionPrices[s] ?? ''}
                    aria-invalid={problems[`section:${s}`] ? 'true' : undefined}
                    onInput={(e) => set({ sectionPrices: { ...d.sectionPrices, [s]: e.currentTarget.value } })}
                  />
                  {problems[`section:${s}`] && <span class="error">{problems[`section:${s}`]}</span>}
                </label>
              ))}
              {problems.sections && <p class="error">{problems.sections}</p>}
            </fieldset>
          )}
          {problems.venueId && <p class="error">{problems.venueId}</p>}
        </>
      ) : (
        <div class="org-two">
          {field('capacity', 'Capacity', 'number', { min: '1' })}
          {field('price', 'Price (€)', 'number', { min: '0', step: '0.01' })}
        </div>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Creating…' : 'Create event'}
      </button>
    </form>
  );
}
