import type { PageContext } from '../lib/page';

export function render(el: HTMLElement, _ctx: PageContext) {
  el.innerHTML = '<h1>signin</h1>';
}
