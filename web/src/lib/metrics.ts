/** Timings the browser tests read (window.__onsale): seat map readiness and seat-change bursts. */
export interface WebTimings {
  mapReadyMs?: number;
  seatCount?: number;
  bursts: Array<{ seats: number; ms: number }>;
}
declare global {
  interface Window {
    __onsale?: WebTimings;
  }
}
export function timings(): WebTimings {
  window.__onsale ??= { bursts: [] };
  return window.__onsale;
}
