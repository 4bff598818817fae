import type { PageContext } from '../../lib/page';

/** Organizer pages (placeholder: the organizer work fills this folder). */
export function render(el: HTMLElement, _ctx: PageContext): void {
  const h1 = document.createElement('h1');
  h1.textContent = 'Organizer';
  const p = document.createElement('p');
  p.textContent = 'Create events from a venue layout, on-sale settings and sales: coming soon.';
  el.replaceChildren(h1, p);
}
