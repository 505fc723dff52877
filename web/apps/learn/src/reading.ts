// Readings and assignment instructions are Markdown that usually opens with
// the item's title as a heading ("# Averages and spread"); the item page
// already shows that title as its h1, so the repeat is left out.

const LEADING_H1 = /^\s*<h1(?:\s[^>]*)?>([\s\S]*?)<\/h1>\s*/i;

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", "#39": "'" };

/** The text of an HTML fragment, tags dropped and common entities decoded, for comparing. */
function plain(html: string): string {
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (m, e: string) => {
      if (e in ENTITIES) return ENTITIES[e]!;
      if (e[0] === "#") return String.fromCodePoint(e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
      return m;
    })
    .replace(/[\s\u00a0]+/g, " ")
    .trim()
    .toLocaleLowerCase();
}

/**
 * The HTML without its opening h1 when that heading says the same as the
 * title (case and spacing aside); otherwise unchanged.
 */
export function withoutRepeatedTitle(html: string, title: string): string {
  const m = LEADING_H1.exec(html);
  if (!m || plain(m[1]!) !== plain(title)) return html;
  return html.slice(m[0].length);
}
