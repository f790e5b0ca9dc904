/**
 * A message's text cut into plain runs, links and mentions, for rendering as Preact nodes
 * (never as HTML). Links are http(s) only; anything else that looks like a URL stays text.
 */
export type Run = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'link'; readonly text: string; readonly href: string } | { readonly kind: 'mention'; readonly text: string; readonly name: string };

/** A URL or an @mention. Mentions are a name's word characters (names may hold spaces: the first word counts). */
const TOKEN = /(https?:\/\/[^\s<>"]+)|(@[\p{L}\p{N}_.-]+)/giu;
/** Punctuation that ends a sentence rather than a URL. */
const TRAILING = /[.,;:!?)\]}'"]+$/;

function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

export function toRuns(text: string): Run[] {
  const runs: Run[] = [];
  let last = 0;
  const pushText = (value: string) => value && runs.push({ kind: 'text', text: value });
  for (const match of text.matchAll(TOKEN)) {
    const start = match.index;
    let token = match[0];
    if (match[1] !== undefined) {
      const trailing = TRAILING.exec(token)?.[0] ?? '';
      token = token.slice(0, token.length - trailing.length);
      const href = safeHref(token);
      if (href === null) continue;
      pushText(text.slice(last, start));
      runs.push({ kind: 'link', text: token, href });
      last = start + token.length;
    } else {
      // An @ inside a word (an e-mail address) is not a mention.
      if (start > 0 && /[\p{L}\p{N}]/u.test(text[start - 1]!)) continue;
      pushText(text.slice(last, start));
      runs.push({ kind: 'mention', text: token, name: token.slice(1) });
      last = start + token.length;
    }
  }
  pushText(text.slice(last));
  return runs;
}

/** Whether `mention` names `name` (its first word, case-insensitively). */
export function mentions(mention: string, name: string): boolean {
  const first = name.trim().split(/\s+/)[0] ?? '';
  return first !== '' && mention.localeCompare(first, undefined, { sensitivity: 'accent' }) === 0;
}
