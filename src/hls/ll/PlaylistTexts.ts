import type { LlBroadcast, LlVariant } from './LlBroadcast.js';
import { renderMasterPlaylist, renderMediaPlaylist } from './llPlaylist.js';

type Skip = 'no' | 'yes' | 'v2';

/** A source rendition's BANDWIDTH before its first segment is measured. */
const DEFAULT_BITS_PER_SECOND = 3_128_000;

/**
 * The playlists of a room's broadcast as last written, kept until the broadcast changes: a
 * thousand players woken by the same part get the same bytes, written once.
 */
export class PlaylistTexts {
  readonly #media = new WeakMap<LlVariant, { version: number; texts: Map<Skip, Buffer> }>();
  readonly #master = new WeakMap<LlBroadcast, { version: number; text: Buffer }>();

  media(broadcast: LlBroadcast, variant: LlVariant, skip: Skip): Buffer {
    let entry = this.#media.get(variant);
    if (!entry || entry.version !== broadcast.version) {
      entry = { version: broadcast.version, texts: new Map() };
      this.#media.set(variant, entry);
    }
    let text = entry.texts.get(skip);
    if (!text) {
      const window = variant.rendition.window();
      if (!window) throw new Error('the rendition has no part yet');
      const renditionReports = broadcast.variants
        .filter((other) => other !== variant)
        .flatMap((other) => {
          const position = other.rendition.lastPosition;
          return position ? [{ uri: other.playlist, lastMsn: position.msn, lastPart: position.part }] : [];
        });
      text = Buffer.from(renderMediaPlaylist(window, { skip, renditionReports }));
      entry.texts.set(skip, text);
    }
    return text;
  }

  master(broadcast: LlBroadcast): Buffer {
    const cached = this.#master.get(broadcast);
    if (cached && cached.version === broadcast.version) return cached.text;
    const variants = broadcast.variants.flatMap((variant) => {
      const info = variant.rendition.info;
      if (!info) return [];
      const measured = variant.rendition.peakBitsPerSecond;
      return [
        {
          uri: variant.playlist,
          bandwidth: measured > 0 ? measured : (variant.nominalBandwidth ?? DEFAULT_BITS_PER_SECOND),
          codecs: info.codecs,
          ...(info.width !== undefined && info.height !== undefined ? { resolution: { width: info.width, height: info.height } } : {}),
        },
      ];
    });
    const text = Buffer.from(renderMasterPlaylist(variants));
    this.#master.set(broadcast, { version: broadcast.version, text });
    return text;
  }
}
