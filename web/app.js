// Onsale's buyer page: search, event page with a live seat map, booking with a live queue position,
// checkout within the hold, tickets with QR codes. Plain ES modules against the public HTTP API
// (ingress, same origin) and the Socket.IO notifier, whose URL comes from the server's configuration
// (`/client-config.json`), never from the page's URL or storage; the Socket.IO client script is served
// by ingress itself (same origin, allowed by the Content-Security-Policy).

const $ = (sel, root = document) => root.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : String(c));
  return node;
};
const money = (n) => (n === null || n === undefined ? '' : n.toLocaleString(undefined, { style: 'currency', currency: 'EUR' }));
const when = (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

// An older page remembered a notifier URL taken from `?notifier=`: forget it.
localStorage.removeItem('onsale.notifier');

const session = {
  get token() { return localStorage.getItem('onsale.token'); },
  get user() { return JSON.parse(localStorage.getItem('onsale.user') || 'null'); },
  set(answer) {
    localStorage.setItem('onsale.token', answer.token);
    localStorage.setItem('onsale.user', JSON.stringify(answer.user));
  },
  clear() {
    localStorage.removeItem('onsale.token');
    localStorage.removeItem('onsale.user');
  },
};

class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
  }
}

/** JSON over HTTP to ingress, with the bearer token when signed in. */
async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) {
    if (res.status === 401 && session.token) session.clear();
    throw new ApiError(res.status, json);
  }
  return json;
}

// ---------- live connection to the notifier ----------

let socket = null;
const socketReady = Promise.all([
  fetch('/client-config.json').then((res) => res.json()).then((c) => c.notifier_url).catch(() => null),
  new Promise((resolve) => {
    const script = el('script', { src: '/socket.io/socket.io.min.js' });
    script.onload = () => resolve(true);
    script.onerror = () => resolve(false);
    document.head.append(script);
  }),
]).then(([url, loaded]) => (loaded ? url : null));

async function connectSocket() {
  const notifierUrl = await socketReady;
  if (!notifierUrl || !window.io) return null;
  if (socket) socket.disconnect();
  socket = window.io(notifierUrl, { auth: { token: session.token || '' }, transports: ['websocket'] });
  socket.on('connect', () => ($('#live').textContent = 'live'));
  socket.on('disconnect', () => ($('#live').textContent = 'offline'));
  socket.on('connect_error', () => ($('#live').textContent = 'offline (sign in for live updates)'));
  return socket;
}

// ---------- account ----------

function renderAccount() {
  const nav = $('#account');
  nav.replaceChildren();
  const user = session.user;
  if (!user) {
    nav.append(el('a', { href: '#/signin', onclick: () => sessionStorage.setItem('onsale.returnTo', location.hash) }, 'Sign in'));
    return;
  }
  if (user.role === 'organizer' || user.role === 'operator') nav.append(el('a', { href: '#/new-event' }, 'New event'), ' · ');
  if (user.role === 'operator') nav.append(el('a', { href: '#/ops' }, 'Operations'), ' · ');
  nav.append(el('a', { href: '#/bookings' }, 'My bookings'), ' · ', el('a', { href: '#/tickets' }, 'My tickets'), ' · ', el('span', {}, user.name || user.email), ' · ',
    el('a', { href: '#/', onclick: () => { session.clear(); connectSocket(); renderAccount(); } }, 'Sign out'));
}

function signInView() {
  const form = $('#auth-form').content.firstElementChild.cloneNode(true);
  const error = $('.error', form);
  // Named controls (form.name would be the form's own name attribute).
  const field = (name) => form.querySelector(`[name=${name}]`);
  const submit = async (path, body) => {
    error.hidden = true;
    try {
      session.set(await api('POST', path, body));
      renderAccount();
      await connectSocket();
      location.hash = sessionStorage.getItem('onsale.returnTo') || '#/';
      sessionStorage.removeItem('onsale.returnTo');
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit('/v1/auth/login', { email: field('email').value, password: field('password').value });
  });
  field('register').addEventListener('click', () => {
    if (!form.classList.contains('registering')) return form.classList.add('registering');
    if (!form.reportValidity()) return;
    submit('/v1/auth/register', { email: field('email').value, password: field('password').value, name: field('name').value || field('email').value });
  });
  return form;
}

// ---------- search ----------

async function searchView(q) {
  const qs = new URLSearchParams({ limit: '20', ...(q ? { q } : { sort: 'date' }) });
  const page = await api('GET', `/v1/events/search?${qs}`);
  if (!page.items.length) return el('p', {}, q ? `Nothing found for “${q}”.` : 'No events yet.');
  return el('ul', { class: 'results' }, page.items.map((ev) =>
    el('li', { class: 'card' },
      el('a', { href: `#/events/${ev.id}` }, el('h3', {}, ev.name)),
      el('p', {}, when(ev.starts_at), ev.venue ? ` · ${ev.venue.name}, ${ev.venue.city}` : ''),
      el('p', { class: 'muted' },
        ev.price_range ? `${money(ev.price_range.min)} – ${money(ev.price_range.max)} · ` : '',
        ev.availability.sold_out ? 'sold out' : `${ev.availability.available.toLocaleString()} left`, ' · ', ev.status.replace('_', ' ')))));
}

// ---------- event page, seat map, booking ----------

const STATUS_CLASS = { available: 'a', held: 'h', sold: 's' };

async function eventView(eventId) {
  const ev = await api('GET', `/v1/events/${eventId}`);
  const root = el('section', { class: 'event' },
    el('h2', {}, ev.name),
    el('p', {}, when(ev.starts_at), ev.venue ? ` · ${ev.venue.name}, ${ev.venue.city}` : ''),
    ev.description ? el('p', { class: 'muted' }, ev.description) : null,
    el('p', { id: 'availability' }, availabilityText(ev)));
  const booking = el('div', { id: 'booking' });
  if (!ev.on_sale?.open) {
    const notice = ev.status === 'cancelled'
      ? 'This event was cancelled.'
      : ev.on_sale.queue_open
        ? `The queue is open: join it now, tickets are sold in order from ${when(ev.on_sale.at)}.`
        : `On sale ${when(ev.on_sale.at)}; the queue opens ${when(ev.on_sale.queue_opens_at)}.`;
    root.append(el('p', { class: 'notice' }, notice));
  }

  if (ev.kind === 'general_admission') {
    const qty = el('input', { type: 'number', min: 1, max: ev.max_per_user, value: 2 });
    root.append(el('div', { class: 'card' }, el('p', {}, `General admission · ${money(ev.general_admission.price)} each`),
      el('label', {}, 'Tickets ', qty), ' ',
      el('button', { onclick: () => book(ev, { quantity: Number(qty.value) }, booking) }, 'Book')));
  } else if (!ev.inventory_ready) {
    // Just created: the event's partition is still creating the seats.
    root.append(el('p', { class: 'notice' }, 'Preparing the seats…'));
    setTimeout(() => location.hash === `#/events/${ev.id}` && route(), 1000);
  } else {
    const map = await api('GET', `/v1/events/${eventId}/seats`);
    root.append(seatMap(ev, map, booking));
  }
  root.append(booking);
  const user = session.user;
  if (user && ev.status !== 'cancelled' && (user.role === 'operator' || (user.role === 'organizer' && user.id === ev.organizer_id))) root.append(organizerTools(ev));
  watchEvent(ev);
  return root;
}

/** The event's organizer (or an operator): add inventory, reprice what is unsold, cancel. All go through the partition. */
function organizerTools(ev) {
  const note = el('p', { class: 'muted' });
  const send = (method, path, body, done) => async (e) => {
    e?.preventDefault?.();
    try {
      await api(method, path, body());
      note.textContent = 'Queued for the event\'s partition…';
      await until(async () => done(await api('GET', `/v1/events/${ev.id}`)));
      route();
    } catch (err) {
      note.textContent = err.message;
    }
  };
  const input = (name, attrs = {}) => el('input', { name, required: true, ...attrs });
  const box = el('div', { class: 'card organizer' }, el('h3', {}, 'Organizer'));
  if (ev.kind === 'general_admission') {
    const capacity = input('capacity', { type: 'number', min: ev.capacity + 1, value: ev.capacity + 100 });
    box.append(el('form', { class: 'add-capacity', onsubmit: send('POST', `/v1/events/${ev.id}/inventory`, () => ({ general_admission: { capacity: Number(capacity.value) } }), (x) => x.capacity === Number(capacity.value)) },
      el('label', {}, 'Raise capacity to ', capacity), ' ', el('button', {}, 'Add')));
  } else {
    const [name, rows, perRow, price] = [input('name', { placeholder: 'Balcony' }), input('rows', { type: 'number', min: 1, value: 5 }), input('seats_per_row', { type: 'number', min: 1, value: 20 }), input('price', { type: 'number', min: 0, step: '0.01', value: 49 })];
    box.append(el('form', { class: 'add-section', onsubmit: send('POST', `/v1/events/${ev.id}/inventory`, () => ({ sections: [{ name: name.value, rows: Number(rows.value), seats_per_row: Number(perRow.value), price: Number(price.value) }] }), (x) => x.sections.some((sec) => sec.name === name.value)) },
      'Add a section ', name, ' rows ', rows, ' seats per row ', perRow, ' price ', price, ' ', el('button', {}, 'Add')));
    const section = el('select', { name: 'section' }, ev.sections.map((sec) => el('option', { value: sec.name }, `${sec.name} (${money(sec.price)})`)));
    const newPrice = input('new_price', { type: 'number', min: 0, step: '0.01' });
    box.append(el('form', { class: 'reprice', onsubmit: send('PUT', `/v1/events/${ev.id}/prices`, () => ({ sections: [{ name: section.value, price: Number(newPrice.value) }] }), (x) => x.sections.some((sec) => sec.name === section.value && sec.price === Number(newPrice.value))) },
      'New price for unsold seats in ', section, ' ', newPrice, ' ', el('button', {}, 'Reprice')));
  }
  box.append(el('button', { class: 'secondary cancel-event', onclick: send('POST', `/v1/events/${ev.id}/cancel`, () => undefined, (x) => x.status === 'cancelled') }, 'Cancel the event (refunds every order)'), note);
  return box;
}

/** Organizers: a new event, general admission or sections (its inventory is created by the event's partition). */
function newEventView() {
  if (!session.token) {
    sessionStorage.setItem('onsale.returnTo', '#/new-event');
    return signInView();
  }
  const local = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  const f = {
    name: el('input', { name: 'name', required: true, placeholder: 'Aurora Skies — Oslo' }),
    starts: el('input', { name: 'starts_at', type: 'datetime-local', required: true, value: local(new Date(Date.now() + 30 * 86_400_000)) }),
    onSale: el('input', { name: 'on_sale_at', type: 'datetime-local', value: local(new Date()) }),
    kind: el('select', { name: 'kind' }, el('option', { value: 'sections' }, 'Reserved seating'), el('option', { value: 'ga' }, 'General admission')),
    sections: el('textarea', { name: 'sections', rows: 4 }, 'Floor 10 20 99\nBalcony 5 30 49'),
    capacity: el('input', { name: 'capacity', type: 'number', min: 1, value: 1000 }),
    price: el('input', { name: 'ga_price', type: 'number', min: 0, step: '0.01', value: 35 }),
  };
  const error = el('p', { class: 'error' });
  const form = el('form', { class: 'card new-event', onsubmit: async (e) => {
    e.preventDefault();
    const inventory = f.kind.value === 'ga'
      ? { general_admission: { capacity: Number(f.capacity.value), price: Number(f.price.value) } }
      : { sections: f.sections.value.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
          const [name, rows, perRow, price] = l.split(/\s+/);
          return { name, rows: Number(rows), seats_per_row: Number(perRow), price: Number(price) };
        }) };
    try {
      const created = await api('POST', '/v1/events', {
        name: f.name.value, starts_at: new Date(f.starts.value).toISOString(),
        ...(f.onSale.value ? { on_sale_at: new Date(f.onSale.value).toISOString() } : {}), ...inventory,
      });
      location.hash = `#/events/${created.id}`;
    } catch (err) {
      error.textContent = err.message;
    }
  } },
    el('h2', {}, 'New event'),
    el('label', {}, 'Name ', f.name), el('label', {}, 'Starts ', f.starts), el('label', {}, 'On sale from ', f.onSale), el('label', {}, 'Seating ', f.kind),
    el('label', {}, 'Sections, one a line: name rows seats-per-row price', f.sections),
    el('label', {}, 'General admission: capacity ', f.capacity, ' price ', f.price),
    error, el('button', {}, 'Create'));
  return form;
}

function availabilityText(ev) {
  const a = ev.availability;
  return a ? `${a.available.toLocaleString()} of ${a.capacity.toLocaleString()} available` : '';
}

let watchedEvent = null;
async function watchEvent(ev) {
  const s = socket || (await connectSocket());
  if (!s) return;
  if (watchedEvent) s.emit('event.unwatch', { event_id: watchedEvent });
  watchedEvent = ev.id;
  s.off('seats.changed');
  s.on('seats.changed', (change) => {
    if (change.event_id !== watchedEvent) return;
    for (const [id, status] of change.seats ?? []) {
      const seat = document.getElementById(`seat-${id}`);
      if (seat) seat.className = `seat ${STATUS_CLASS[status]}${seat.classList.contains('picked') && status === 'available' ? ' picked' : ''}`;
    }
    if (change.available !== undefined) $('#availability').textContent = `${change.available.toLocaleString()} available`;
  });
  s.emit('event.watch', { event_id: ev.id }, () => undefined);
}

function seatMap(ev, map, bookingBox) {
  const sections = [...new Set(map.seats.map((s) => s.section))];
  const picked = new Set();
  const box = el('div', { class: 'card' });
  const grid = el('div', { class: 'seatmap' });
  const select = el('select', { onchange: () => draw(select.value) }, sections.map((name) => {
    const sample = map.seats.find((s) => s.section === name);
    return el('option', { value: name }, `${name} · ${money(sample.price)}`);
  }));
  const qty = el('input', { type: 'number', min: 1, max: ev.max_per_user, value: 2 });
  const pickedText = el('span', { class: 'muted' }, 'Click seats to pick them, or ask for the best available.');
  const draw = (section) => {
    const rows = new Map();
    for (const s of map.seats) if (s.section === section) (rows.get(s.row) ?? rows.set(s.row, []).get(s.row)).push(s);
    grid.replaceChildren(...[...rows.entries()].sort((a, b) => a[0] - b[0]).map(([row, seats]) =>
      el('div', { class: 'row' }, el('span', { class: 'rowlabel' }, row),
        seats.sort((a, b) => a.number - b.number).map((s) =>
          el('button', {
            id: `seat-${s.id}`, class: `seat ${STATUS_CLASS[s.status]}${picked.has(s.id) ? ' picked' : ''}`, title: `${s.id} · ${money(s.price)}`,
            onclick: (e) => {
              const b = e.currentTarget;
              if (!b.classList.contains('a')) return;
              if (picked.has(s.id)) picked.delete(s.id);
              else if (picked.size < ev.max_per_user) picked.add(s.id);
              b.classList.toggle('picked', picked.has(s.id));
              pickedText.textContent = picked.size ? `Picked: ${[...picked].join(', ')}` : '';
            },
          })))));
  };
  draw(sections[0]);
  box.append(
    el('div', { class: 'toolbar' }, el('label', {}, 'Section ', select), ' ',
      el('label', {}, 'Seats ', qty), ' ',
      el('button', { onclick: () => book(ev, { quantity: Number(qty.value), section: select.value }, bookingBox) }, 'Best available'), ' ',
      el('button', { class: 'secondary', onclick: () => picked.size && book(ev, { seat_ids: [...picked], accept_alternatives: true }, bookingBox) }, 'Book picked seats')),
    pickedText,
    el('p', { class: 'legend' }, el('span', { class: 'seat a' }), ' available ', el('span', { class: 'seat h' }), ' held ', el('span', { class: 'seat s' }), ' sold ', el('span', { class: 'seat a picked' }), ' picked'),
    grid);
  return box;
}

async function book(ev, request, box) {
  if (!session.token) {
    sessionStorage.setItem('onsale.returnTo', location.hash);
    location.hash = '#/signin';
    return;
  }
  box.replaceChildren(el('p', {}, 'Sending…'));
  try {
    const queued = await api('POST', '/v1/bookings', { event_id: ev.id, ...request });
    follow(queued.booking_id, queued.position, box);
  } catch (err) {
    box.replaceChildren(el('p', { class: 'error' }, err.message));
  }
}

/** Follows one booking: queue position, then each result (held, payment, confirmed …) as it is pushed. */
async function follow(bookingId, position, box) {
  const status = el('p', { class: 'status' }, `In the queue: position ${position}`);
  const actions = el('div', {});
  box.replaceChildren(el('div', { class: 'card' }, status, actions));
  let timer = null;
  const show = (r) => {
    clearInterval(timer);
    actions.replaceChildren();
    const what = r.seats?.length ? `${r.seats.join(', ')}` : r.quantity ? `${r.quantity} ticket(s)` : '';
    if (r.status === 'held') {
      const left = () => Math.max(0, Math.round((Date.parse(r.hold_expires_at) - Date.now()) / 1000));
      const tick = () => (status.textContent = `Held for you: ${what} · ${money((r.amount_cents ?? 0) / 100)} + fees · pay within ${Math.floor(left() / 60)}:${String(left() % 60).padStart(2, '0')}${r.reason ? ` (${r.reason.replaceAll('_', ' ')})` : ''}`);
      tick();
      timer = setInterval(tick, 1000);
      actions.append(
        el('button', { onclick: () => api('POST', `/v1/bookings/${bookingId}/checkout`, { payment_method: 'pm_card_visa' }).catch((e) => (status.textContent = e.message)) }, 'Pay now'), ' ',
        el('button', { class: 'secondary', onclick: () => api('DELETE', `/v1/bookings/${bookingId}`).catch((e) => (status.textContent = e.message)) }, 'Release'));
    } else if (r.status === 'payment_pending') status.textContent = 'Paying…';
    else if (r.status === 'confirmed') {
      status.textContent = `Confirmed: ${what}. Enjoy the show!`;
      actions.append(el('a', { href: '#/tickets' }, 'See your tickets'));
    } else status.textContent = `${r.status.replaceAll('_', ' ')}${r.reason ? `: ${r.reason.replaceAll('_', ' ')}` : ''}`;
  };
  const s = socket || (await connectSocket());
  if (s) {
    // The event's progress is broadcast to everyone waiting; our position comes from our own seq.
    let waiting = null;
    const queueText = (position, p) => `In the queue: position ${position}${p?.rate_per_s > 0 ? `, about ${Math.ceil(position / p.rate_per_s)} s` : ''}${p?.paused ? ' (paused)' : p?.throttle_per_s ? ' (throttled)' : ''}`;
    s.on('event.progress', (p) => waiting && p.event_id === waiting.event_id && waiting.seq !== null && (status.textContent = queueText(Math.max(1, waiting.seq - p.watermark), p)));
    s.on('booking.result', (r) => r.booking_id === bookingId && ((waiting = null), show(r)));
    s.emit('booking.watch', { booking_id: bookingId }, (ack) => {
      if (ack?.ok && ack.status === 'queued') {
        waiting = { event_id: ack.event_id, seq: ack.seq ?? null };
        if (ack.position) status.textContent = queueText(ack.position, null);
      }
    });
  } else {
    // No live connection: poll the booking instead.
    const poll = async () => {
      const b = await api('GET', `/v1/bookings/${bookingId}`);
      if (b.status === 'queued') return setTimeout(poll, 1000);
      show(b);
    };
    poll();
  }
}

// ---------- tickets ----------

async function ticketsView() {
  if (!session.token) {
    sessionStorage.setItem('onsale.returnTo', '#/tickets');
    return signInView();
  }
  const page = await api('GET', '/v1/me/tickets?limit=50');
  if (!page.items.length) return el('p', {}, 'No tickets yet.');
  const list = el('ul', { class: 'results' });
  for (const t of page.items) {
    const img = el('img', { alt: `QR code of ticket ${t.ticket_id}`, width: 160, height: 160 });
    const note = el('p', { class: 'muted' }, t.status);
    const email = el('input', { type: 'email', placeholder: "friend's e-mail", required: true });
    const transfer = el('form', { class: 'transfer', onsubmit: async (e) => {
      e.preventDefault();
      try {
        await api('POST', `/v1/tickets/${t.ticket_id}/transfer`, { email: email.value });
        note.textContent = `Transferring to ${email.value}…`;
        await until(async () => (await api('GET', '/v1/me/tickets?limit=100')).items.every((x) => x.ticket_id !== t.ticket_id));
        route();
      } catch (err) {
        note.textContent = err.message;
      }
    } }, email, ' ', el('button', { class: 'secondary' }, 'Transfer'));
    list.append(el('li', { class: 'card ticket', 'data-ticket': t.ticket_id }, img,
      el('div', {}, el('h3', {}, t.event_name), el('p', {}, when(t.starts_at)), el('p', {}, t.seat_id ? `Seat ${t.seat_id}` : `General admission #${t.unit}`),
        note, t.status === 'valid' ? transfer : null)));
    // The QR image needs the bearer token, so it is fetched rather than linked.
    fetch(`/v1/tickets/${t.ticket_id}/qr.svg`, { headers: { authorization: `Bearer ${session.token}` } })
      .then((r) => (r.ok ? r.blob() : null))
      .then((b) => b && (img.src = URL.createObjectURL(b)));
  }
  return list;
}

/** Polls `check` until it holds (a change queued through the partition has been decided). */
async function until(check, ms = 15000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('Still in progress: refresh in a moment.');
    await new Promise((r) => setTimeout(r, 300));
  }
}

// ---------- bookings ----------

async function bookingsView() {
  if (!session.token) {
    sessionStorage.setItem('onsale.returnTo', '#/bookings');
    return signInView();
  }
  const page = await api('GET', '/v1/me/bookings?limit=50');
  if (!page.items.length) return el('p', {}, 'No bookings yet.');
  return el('ul', { class: 'results' }, page.items.map((b) => {
    const note = el('p', { class: 'muted' }, `${b.status.replaceAll('_', ' ')}${b.reason ? ` (${b.reason.replaceAll('_', ' ')})` : ''}`);
    const change = (method, path, body, settled) => async () => {
      try {
        await api(method, path, body);
        note.textContent = 'Sent…';
        await until(async () => settled((await api('GET', `/v1/bookings/${b.booking_id}`)).status));
        route();
      } catch (err) {
        note.textContent = err.message;
      }
    };
    const actions = [];
    if (b.status === 'held') actions.push(el('button', { onclick: change('POST', `/v1/bookings/${b.booking_id}/checkout`, { payment_method: 'pm_card_visa' }, (st) => st !== 'held' && st !== 'payment_pending') }, 'Pay now'));
    if (b.status === 'confirmed') actions.push(el('button', { class: 'secondary', onclick: change('DELETE', `/v1/bookings/${b.booking_id}`, undefined, (st) => st === 'refunded') }, 'Cancel and refund'));
    return el('li', { class: 'card', 'data-booking': b.booking_id },
      el('h3', {}, b.event_name ?? b.event_id),
      el('p', {}, b.seats?.length ? b.seats.join(', ') : b.quantity ? `${b.quantity} ticket(s)` : '', b.total !== undefined ? ` · ${money(b.total)}` : b.amount !== undefined ? ` · ${money(b.amount)}` : ''),
      note, actions);
  }));
}

// ---------- operations (role operator) ----------

let opsTimer = null;

/** Partitions and their events during an on-sale: queue depth, consumer, rates; pause, resume, throttle. */
async function opsView() {
  const root = el('section', {}, el('h2', {}, 'Operations'), el('p', { class: 'muted' }, 'Refreshed every 2 seconds. Events with traffic or settings first.'));
  const body = el('div', {});
  root.append(body);
  const problem = el('p', { class: 'error' });
  root.append(problem);
  const act = (path, method, payload) => api(method, path, payload).then(() => { problem.textContent = ''; return refresh(); }).catch((e) => (problem.textContent = e.message));
  const refresh = async () => {
    const { partitions, payment_breakers: breakers } = await api('GET', '/v1/ops/partitions');
    const rows = [];
    for (const p of partitions) {
      rows.push(el('tr', { class: 'partition' }, el('th', {}, `p${p.partition}`), el('td', { colspan: 3 }, `${p.depth ?? '?'} waiting in the queue`),
        el('td', {}, p.active_consumer_present ? `active: ${p.owner ?? '?'}` : 'no consumer!'), el('td', {}, `${p.rate_per_s}/s`), el('td', {})));
      const events = p.events.filter((e) => e.sequence > 0 || e.paused || e.throttle_per_s !== null);
      for (const e of events) {
        const throttle = el('input', { type: 'number', min: 1, placeholder: 'per s', value: e.throttle_per_s ?? '', class: 'throttle' });
        rows.push(el('tr', { 'data-event': e.event_id },
          el('td', {}, ''), el('td', {}, e.name), el('td', {}, `${e.watermark} / ${e.sequence} decided`), el('td', {}, `${e.backlog} parked`),
          el('td', { class: 'state' }, e.paused ? 'paused' : e.throttle_per_s ? `throttled to ${e.throttle_per_s}/s` : 'flowing'), el('td', {}, `${e.rate_per_s}/s`),
          el('td', {},
            e.paused
              ? el('button', { onclick: () => act(`/v1/ops/events/${e.event_id}/resume`, 'POST') }, 'Resume')
              : el('button', { class: 'secondary', onclick: () => act(`/v1/ops/events/${e.event_id}/pause`, 'POST') }, 'Pause'),
            ' ', throttle,
            el('button', { class: 'secondary', onclick: () => act(`/v1/ops/events/${e.event_id}/throttle`, 'PUT', { per_second: throttle.value ? Number(throttle.value) : null }) }, 'Set'))));
      }
    }
    body.replaceChildren(
      el('table', { class: 'ops' }, el('tr', {}, ['', 'event', 'progress', 'parked', 'state', 'rate', ''].map((h) => el('th', {}, h))), rows),
      el('p', { class: 'muted breakers' }, `Payment provider breaker: ${(breakers ?? []).map((b) => `${b.worker_id} ${b.state}`).join(', ') || 'no calls yet'}`));
  };
  await refresh();
  clearInterval(opsTimer);
  opsTimer = setInterval(() => (location.hash === '#/ops' ? refresh().catch(() => undefined) : clearInterval(opsTimer)), 2000);
  return root;
}

// ---------- routing ----------

async function route() {
  const view = $('#view');
  const [, page, id] = location.hash.split('/');
  try {
    let node;
    if (page === 'events' && id) node = await eventView(id);
    else if (page === 'signin') node = signInView();
    else if (page === 'tickets') node = await ticketsView();
    else if (page === 'bookings') node = await bookingsView();
    else if (page === 'new-event') node = newEventView();
    else if (page === 'ops') node = await opsView();
    else node = await searchView(new URLSearchParams(location.hash.split('?')[1] || '').get('q') || '');
    view.replaceChildren(node);
  } catch (err) {
    view.replaceChildren(el('p', { class: 'error' }, err.message));
  }
}

$('#search').addEventListener('submit', (e) => {
  e.preventDefault();
  location.hash = `#/search?q=${encodeURIComponent(e.target.q.value)}`;
});
window.addEventListener('hashchange', route);
renderAccount();
connectSocket();
route();
