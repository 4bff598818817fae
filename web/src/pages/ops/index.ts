import { h, render as mount } from 'preact';
import type { PageContext } from '../../lib/page';
import { OpsConsole } from './console';
import './ops.css';

/** `#/ops`: the operations console (operators only; the API answers 403 to anyone else). */
export function render(el: HTMLElement, ctx: PageContext): () => void {
  mount(h(OpsConsole, { ctx }), el);
  return () => mount(null, el);
}
