import type { PageRender } from './lib/page';

type Loader = () => Promise<{ render: PageRender }>;

/** Hash routes, most specific first; `:name` captures a segment, `*` the rest (as `params.rest`). */
export const ROUTES: { pattern: string; load: Loader }[] = [
  { pattern: '#/events/:id', load: () => import('./pages/event') },
  { pattern: '#/bookings/:id', load: () => import('./pages/checkout') },
  { pattern: '#/bookings', load: () => import('./pages/bookings') },
  { pattern: '#/tickets', load: () => import('./pages/tickets') },
  { pattern: '#/signin', load: () => import('./pages/signin') },
  { pattern: '#/organizer*', load: () => import('./pages/organizer/index') },
  { pattern: '#/ops*', load: () => import('./pages/ops/index') },
  { pattern: '#/search', load: () => import('./pages/search') },
  { pattern: '#/', load: () => import('./pages/search') },
];

/** The route matching `hash` (without its query) and its parameters. */
export function match(hash: string): { load: Loader; params: Record<string, string> } {
  const [path = '#/', query = ''] = (hash || '#/').split('?');
  const params: Record<string, string> = Object.fromEntries(new URLSearchParams(query));
  for (const r of ROUTES) {
    if (r.pattern.endsWith('*')) {
      const base = r.pattern.slice(0, -1);
      if (path === base || path.startsWith(`${base}/`))
        return { load: r.load, params: { ...params, rest: path.slice(base.length + 1) } };
      continue;
    }
    const a = r.pattern.split('/');
    const b = path.split('/');
    if (a.length !== b.length) continue;
    const got: Record<string, string> = {};
    if (
      a.every((seg, i) =>
        seg.startsWith(':') ? ((got[seg.slice(1)] = decodeURIComponent(b[i] ?? '')), b[i] !== '') : seg === b[i],
      )
    )
      return { load: r.load, params: { ...params, ...got } };
  }
  return { load: ROUTES[ROUTES.length - 1]!.load, params };
}
