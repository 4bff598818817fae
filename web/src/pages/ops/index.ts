import type { PageContext } from '../../lib/page';

/** Operations console (placeholder: the operations work fills this folder). */
export function render(el: HTMLElement, _ctx: PageContext): void {
  const h1 = document.createElement('h1');
  h1.textContent = 'Operations';
  const p = document.createElement('p');
  p.textContent = 'Live charts per event and partition, throttle and pause: coming soon.';
  el.replaceChildren(h1, p);
}
