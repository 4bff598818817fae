import { sparkPath, type Point } from '../../lib/metrics-live';

const W = 160;
const H = 36;

/** A small line chart with its current value; `label` names it for screen readers and the eye. */
export function Spark({
  label,
  points,
  value,
  spanS = 180,
}: {
  label: string;
  points: Point[];
  value: string;
  spanS?: number;
}) {
  const { d, max } = sparkPath(points, W, H, spanS);
  return (
    <figure class="spark">
      <figcaption>
        <span>{label}</span> <strong>{value}</strong>
      </figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${label}: ${value} now, at most ${Math.round(max)} in the last ${spanS / 60} minutes`}
      >
        <path d={d} fill="none" stroke="currentColor" stroke-width="1.5" vector-effect="non-scaling-stroke" />
      </svg>
    </figure>
  );
}
