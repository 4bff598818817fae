import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from './lib/api';
import { connect, live, type LiveState } from './lib/live';
import type { PageContext } from './lib/page';
import { session } from './lib/session';
import { match } from './routes';

// An older page remembered a notifier URL taken from `?notifier=`: forget it.
localStorage.removeItem('onsale.notifier');

const LIVE_TEXT: Record<LiveState, string> = {
  connecting: 'connecting…',
  live: 'live',
  offline: 'offline, reconnecting…',
  'signed-out': 'sign in for live updates',
};

function Nav() {
  const [user, setUser] = useState(session.user);
  const [state, setState] = useState(live.state);
  useEffect(() => session.onChange(() => setUser(session.user)), []);
  useEffect(() => live.onState(setState), []);
  const signOut = (e: Event) => {
    e.preventDefault();
    session.clear();
    location.hash = '#/';
  };
  return (
    <header class="top">
      <a href="#/" class="brand">
        Onsale
      </a>
      <form
        class="search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          const q = new FormData(e.currentTarget).get('q');
          location.hash = `#/search?q=${encodeURIComponent(typeof q === 'string' ? q : '')}`;
        }}
      >
        <label class="visually-hidden" for="q">
          Search events
        </label>
        <input id="q" name="q" type="search" placeholder="Events, artists, venues, cities" autocomplete="off" />
        <button>Search</button>
      </form>
      <nav aria-label="Main">
        <ul>
          <li>
            <a href="#/bookings">My bookings</a>
          </li>
          <li>
            <a href="#/tickets">My tickets</a>
          </li>
          {user?.role !== 'buyer' && (
            <li>
              <a href="#/organizer">Organizer</a>
            </li>
          )}
          {user?.role !== 'buyer' && (
            <li>
              <a href="#/ops">Operations</a>
            </li>
          )}
          {user ? (
            <li>
              <span class="who">{user.name || user.email}</span>{' '}
              <a href="#/" onClick={signOut}>
                Sign out
              </a>
            </li>
          ) : (
            <li>
              <a href="#/signin">Sign in</a>
            </li>
          )}
        </ul>
      </nav>
      <p class="live" data-state={state}>
        <span class="dot" aria-hidden="true" /> {LIVE_TEXT[state]}
      </p>
    </header>
  );
}

const root = document.getElementById('app')!;
root.innerHTML =
  '<div id="nav"></div><main id="main" tabindex="-1"></main><div id="announcer" class="visually-hidden" role="status" aria-live="polite"></div><footer><a href="/docs">API docs</a></footer>';
render(<Nav />, document.getElementById('nav')!);
const main = document.getElementById('main')!;
const announcer = document.getElementById('announcer')!;

let cleanup: (() => void) | undefined = undefined;
let generation = 0;

async function route() {
  const gen = ++generation;
  const { load, params } = match(location.hash);
  try {
    cleanup?.();
  } catch {
    /* a page's cleanup must not stop the next page */
  }
  cleanup = undefined;
  const ctx: PageContext = {
    api,
    session,
    live,
    params,
    navigate: (hash) => (location.hash = hash),
    announce: (text) => {
      announcer.textContent = '';
      setTimeout(() => (announcer.textContent = text), 50);
    },
  };
  try {
    const mod = await load();
    if (gen !== generation) return;
    const view = document.createElement('div');
    view.className = 'page';
    main.replaceChildren(view);
    const c = (await mod.render(view, ctx)) ?? undefined;
    if (gen !== generation) {
      c?.();
      return;
    }
    cleanup = c;
  } catch (err) {
    if (gen !== generation) return;
    const h1 = document.createElement('h1');
    h1.textContent = 'Something went wrong';
    const p = document.createElement('p');
    p.className = 'error';
    p.textContent = err instanceof Error ? err.message : String(err);
    main.replaceChildren(h1, p);
  }
}

window.addEventListener('hashchange', () => void route());
session.onChange(() => void connect());
void connect();
void route();
