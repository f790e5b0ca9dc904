/** hls.js, loaded only when a player starts: a dynamic import, so it is its own compressed, immutable chunk and no page's first load carries it. */
import type Hls from 'hls.js';

export type HlsClass = typeof Hls;

let loading: Promise<HlsClass> | undefined;

export function loadHls(): Promise<HlsClass> {
  loading ??= import('hls.js').then((module) => module.default);
  return loading;
}
