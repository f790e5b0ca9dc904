/**
 * A small line chart of the recent values of one figure (SVG, no library), with the figure now
 * in text beside it. Screen readers get the figure and its range in words; the line is a picture.
 */
const WIDTH = 160;
const HEIGHT = 40;

interface Props {
  id: string;
  label: string;
  values: readonly number[];
  format: (value: number) => string;
  /** How long the values span, for the description ("the last 5 minutes"). */
  span: string;
}

function points(values: readonly number[]): string {
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? WIDTH / (values.length - 1) : 0;
  return values.map((value, index) => `${(index * step).toFixed(1)},${(HEIGHT - 2 - (value / max) * (HEIGHT - 4)).toFixed(1)}`).join(' ');
}

export function Sparkline({ id, label, values, format, span }: Props) {
  const now = values.at(-1);
  const description = now === undefined ? `${label}: not read yet` : `${label}: ${format(now)} now; over ${span} from ${format(Math.min(...values))} to ${format(Math.max(...values))}`;
  return (
    <figure class="figure" id={id}>
      <figcaption class="figure-label">{label}</figcaption>
      <p class="figure-value" data-value={now ?? ''}>{now === undefined ? '—' : format(now)}</p>
      <svg class="sparkline" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width={WIDTH} height={HEIGHT} role="img" aria-label={description} preserveAspectRatio="none">
        <line x1="0" y1={HEIGHT - 1} x2={WIDTH} y2={HEIGHT - 1} class="sparkline-base" />
        {values.length > 1 && <polyline points={points(values)} class="sparkline-line" />}
      </svg>
    </figure>
  );
}
