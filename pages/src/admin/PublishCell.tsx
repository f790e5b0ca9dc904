/** Where the room's producer publishes (the key is a producer token, which this page does not hold). */
import type { PublishUrls } from './adminTypes.ts';

const PUBLISH_LABELS: ReadonlyArray<[keyof PublishUrls, string]> = [
  ['rtmp', 'RTMP'],
  ['rtmpShared', 'RTMP (shared port)'],
  ['whip', 'WHIP'],
  ['srt', 'SRT'],
  ['http', 'HTTP push'],
];

export function PublishCell({ publish }: { publish: PublishUrls | null }) {
  if (!publish) return <td class="cell-publish" />;
  return (
    <td class="cell-publish">
      <details>
        <summary>URLs</summary>
        <dl class="publish-urls">
          {PUBLISH_LABELS.filter(([kind]) => publish[kind]).map(([kind, label]) => (
            <div key={kind}>
              <dt>{label}</dt>
              <dd class={`publish-${kind}`}>{publish[kind]}</dd>
            </div>
          ))}
        </dl>
      </details>
    </td>
  );
}
