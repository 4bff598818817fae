/** Operations console, `render(el, ctx)` (see ../README.md; placeholder: the operations work fills this folder). */
export function render(el: HTMLElement): void {
  const h1 = document.createElement('h1');
  h1.textContent = 'Operations';
  const p = document.createElement('p');
  p.textContent = 'Live charts per event and partition, throttle and pause: coming soon.';
  el.replaceChildren(h1, p);
}
