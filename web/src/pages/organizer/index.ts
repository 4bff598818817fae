import { h, render as mount } from 'preact';
import type { PageContext } from '../../lib/page';
import { Organizer } from './organizer';
import './organizer.css';

/** `#/organizer`: new events and sales (organizers and operators; the API answers 403 to anyone else). */
export function render(el: HTMLElement, ctx: PageContext): () => void {
  mount(h(Organizer, { ctx }), el);
  return () => mount(null, el);
}
