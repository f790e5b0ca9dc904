/**
 * Reads an HLS attribute-list (RFC 8216bis §4.2): `NAME=value` pairs separated by commas, where
 * a value is a quoted-string (which may hold commas), or an unquoted token. Pure.
 */
const PAIR = /([A-Z0-9-]+)=("[^"\r\n]*"|[^",\s]*)(?:,|$)/.source;

/** Attribute names to their values, quotes removed; throws on text that is not an attribute-list. */
export function parseAttributeList(text: string): ReadonlyMap<string, string> {
  const attributes = new Map<string, string>();
  const pair = new RegExp(PAIR, 'y');
  while (pair.lastIndex < text.length) {
    const at = pair.lastIndex;
    const match = pair.exec(text);
    if (match === null) throw new Error(`not an attribute-list at character ${at}: ${JSON.stringify(text)}`);
    const name = match[1]!;
    const value = match[2]!;
    if (attributes.has(name)) throw new Error(`attribute ${name} appears twice in ${JSON.stringify(text)}`);
    attributes.set(name, value.startsWith('"') ? value.slice(1, -1) : value);
    if (match[0].endsWith(',') && pair.lastIndex === text.length) throw new Error(`attribute-list ends with a comma: ${JSON.stringify(text)}`);
  }
  return attributes;
}
