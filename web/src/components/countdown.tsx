import { useEffect, useState } from 'preact/hooks';

/** Seconds until `iso`, ticking once a second (0 once it has passed). */
export function useSecondsUntil(iso: string | null | undefined): number {
  const left = () => (iso ? Math.max(0, Math.ceil((Date.parse(iso) - Date.now()) / 1000)) : 0);
  const [secs, setSecs] = useState(left);
  useEffect(() => {
    setSecs(left());
    const t = setInterval(() => setSecs(left()), 1000);
    return () => clearInterval(t);
  }, [iso]);
  return secs;
}

/** "2 d 03:04:05" / "03:04:05" / "4:05". */
export function duration(secs: number): string {
  const d = Math.floor(secs / 86400);
  const h = Math.floor((secs % 86400) / 3600);
  const m = Math.floor((secs % 3600) / 60);
  const s = secs % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (d) return `${d} d ${pad(h)}:${pad(m)}:${pad(s)}`;
  if (h) return `${h}:${pad(m)}:${pad(s)}`;
  return `${m}:${pad(s)}`;
}
