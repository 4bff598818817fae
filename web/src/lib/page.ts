import type { Api } from './api';
import type { Live } from './live';
import type { Session } from './session';

/** What every page gets from the shell (see web/src/pages/README.md). */
export interface PageContext {
  api: Api;
  session: Session;
  live: Live;
  /** Route parameters, e.g. `{ id }` for `#/events/:id`, plus the query string's entries. */
  params: Record<string, string>;
  /** Goes to another route, e.g. `navigate('#/events/123')`. */
  navigate(hash: string): void;
  /** Announces a status sentence to screen readers (a polite live region in the shell). */
  announce(text: string): void;
}

/**
 * A page draws itself into `el` (plain DOM or its own preact tree) and may return a cleanup
 * function, called when the buyer leaves the page (stop timers, unwatch sockets, unmount).
 */
export type PageRender = (el: HTMLElement, ctx: PageContext) => void | (() => void) | Promise<void | (() => void)>;
