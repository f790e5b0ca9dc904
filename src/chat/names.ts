import { LIMITS } from './protocol.js';

/** Invisible characters (Hangul fillers, the combining grapheme joiner, ...), not counted as visible. */
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
const VARIATION_SELECTOR = /\p{Variation_Selector}/u;

/**
 * Cleans a display name: control, format and other invisible characters (bidi overrides,
 * zero-width characters, Hangul fillers) removed, whitespace runs (and blank Braille cells)
 * collapsed, trimmed. Variation selectors stay (they pick an emoji's look). Returns undefined
 * when nothing visible is left or the result is too long.
 */
export function cleanName(raw: string): string | undefined {
  const cleaned = raw
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(IGNORABLE, (char) => (VARIATION_SELECTOR.test(char) ? char : ''))
    .replace(/[\s\u2800]+/gu, ' ')
    .trim();
  if (cleaned.replace(IGNORABLE, '').trim().length === 0 || [...cleaned].length > LIMITS.maxName) return undefined;
  return cleaned;
}

/**
 * Capitals of other scripts that look like Latin capitals (but whose small letters do not),
 * mapped before case folding so that "НОТ" (Cyrillic) meets "HOT".
 */
const CAPITAL_LOOKALIKES = new Map(
  Object.entries({
    // Cyrillic
    А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', Х: 'X', У: 'Y', Ү: 'Y', Ѕ: 'S', І: 'I', Ј: 'J', Ӏ: 'I', Ԛ: 'Q', Ԝ: 'W',
    // Greek
    Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X', Ϲ: 'C',
  }),
);

/** Small letters (after case folding and without accents) that look like Latin ones. */
const SMALL_LOOKALIKES = new Map(
  Object.entries({
    // Cyrillic
    а: 'a', е: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', ѕ: 's', і: 'l', ј: 'j', һ: 'h', ӏ: 'l', ԁ: 'd', ԛ: 'q', ԝ: 'w', ү: 'y', ь: 'b',
    // Greek
    α: 'a', ο: 'o', ρ: 'p', ι: 'l', κ: 'k', ν: 'v', υ: 'u', χ: 'x', γ: 'y', ϲ: 'c', ϳ: 'j',
    // Armenian
    օ: 'o', ս: 'u', հ: 'h', ո: 'n', զ: 'q',
    // Latin letters that pass for others
    ı: 'l', ȷ: 'j', ɑ: 'a', ɡ: 'g', ɩ: 'l', ʋ: 'u',
    // I, l, 1 and | look alike in most fonts, and so do 0 and O
    i: 'l', '1': 'l', '|': 'l', '0': 'o',
  }),
);

/** Letter pairs that read as one letter at a glance. */
const PAIR_LOOKALIKES: ReadonlyArray<[RegExp, string]> = [
  [/rn/g, 'm'],
  [/vv/g, 'w'],
];

function mapChars(text: string, table: ReadonlyMap<string, string>): string {
  let out = '';
  for (const char of text) out += table.get(char) ?? char;
  return out;
}

/**
 * The key names are compared by, so that no two people in a room appear with the same-looking
 * name: compatibility forms folded (NFKC: fullwidth and mathematical letters), invisible
 * characters dropped, case folded, accents removed, dashes made one, and the common lookalikes
 * of Latin letters from Cyrillic, Greek and Armenian (and I/l/1, 0/O, rn/m) made the same.
 * "Ann", "ann", "Аnn" (Cyrillic А), "Ａｎｎ" and "Ánn" share a key. The table is hand-written
 * (the Unicode confusables data would catch more; see docs/protocol.md).
 */
export function nameKey(name: string): string {
  const folded = mapChars(name.normalize('NFKC').replace(IGNORABLE, ''), CAPITAL_LOOKALIKES)
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/\p{Pd}/gu, '-')
    .replace(/[\s\u2800]+/gu, ' ')
    .trim();
  return PAIR_LOOKALIKES.reduce((key, [pair, letter]) => key.replace(pair, letter), mapChars(folded, SMALL_LOOKALIKES));
}
