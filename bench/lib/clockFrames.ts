/**
 * The wall clock painted into raw video frames in Node, for producers that are ffmpeg rather
 * than a browser: the same black and white blocks as bench/browser/clock.js paints on its canvas,
 * so the viewer's reader (window.readClock) decodes them unchanged. The layout is taken from
 * clock.js itself (run in a sandbox with a stub window and document): one layout, one reader.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

interface ClockLayout {
  readonly BITS: number;
  readonly BLOCK: number;
  readonly WIDTH: number;
  readonly HEIGHT: number;
  readonly blockOrigin: (bit: number) => [number, number];
}

const CLOCK_JS = path.join(import.meta.dirname, '../browser/clock.js');
const BACKGROUND = 0x80;
const WHITE = 0xff;
const BLACK = 0x00;

function loadLayout(): ClockLayout {
  const window: { clockLayout?: ClockLayout } = {};
  vm.runInNewContext(readFileSync(CLOCK_JS, 'utf8'), { window, document: { addEventListener: () => undefined } }, { filename: CLOCK_JS });
  if (!window.clockLayout) throw new Error(`${CLOCK_JS} did not define window.clockLayout`);
  return window.clockLayout;
}

/** Paints 8-bit grey frames (ffmpeg `-f rawvideo -pix_fmt gray`) of the clock. */
export class ClockFrames {
  readonly width: number;
  readonly height: number;
  readonly #layout: ClockLayout;
  readonly #modulo: number;

  constructor() {
    this.#layout = loadLayout();
    this.width = this.#layout.WIDTH;
    this.height = this.#layout.HEIGHT;
    this.#modulo = 2 ** this.#layout.BITS;
  }

  /** A frame showing `now` (ms since the epoch) modulo 2^BITS, as clock.js paints it. */
  paint(now: number): Buffer {
    const { BITS, BLOCK, blockOrigin } = this.#layout;
    const frame = Buffer.alloc(this.width * this.height, BACKGROUND);
    const value = now % this.#modulo;
    for (let bit = 0; bit < BITS; bit++) {
      const [x, y] = blockOrigin(bit);
      // `value` has at most 24 bits: plain shifts are exact.
      const shade = (value >> bit) & 1 ? WHITE : BLACK;
      for (let row = y; row < y + BLOCK; row++) frame.fill(shade, row * this.width + x, row * this.width + x + BLOCK);
    }
    return frame;
  }

  /** Reads the value back from a frame (the centre pixel of each block): the painter's own check. */
  read(frame: Buffer): number {
    const { BITS, BLOCK, blockOrigin } = this.#layout;
    let value = 0;
    for (let bit = 0; bit < BITS; bit++) {
      const [x, y] = blockOrigin(bit);
      if (frame[(y + BLOCK / 2) * this.width + x + BLOCK / 2]! > 128) value |= 1 << bit;
    }
    return value;
  }
}
