// Query parameters: `{{name}}` in the SQL makes a labelled input on the
// page, and the values go to the server as `params` (which substitutes them
// as quoted SQL string literals).

const PARAM = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * The parameter names in sql, each once, in order of first appearance.
 * Placeholders inside comments (`-- …`, `/* … *\/`) are ignored, since the
 * warehouse never sees them; inside string literals they count (the server
 * substitutes everywhere but comments).
 */
export function parseParams(sql: string): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const m of stripComments(sql).matchAll(PARAM)) {
    const name = m[1]!;
    if (!seen.has(name)) {
      seen.add(name);
      names.push(name);
    }
  }
  return names;
}

/** sql with its comments blanked out (string literals are kept whole). */
export function stripComments(sql: string): string {
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "'" || c === '"') {
      // A quoted string or identifier; a doubled quote escapes itself.
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === "-" && next === "-") {
      const end = sql.indexOf("\n", i);
      const stop = end === -1 ? sql.length : end;
      out += " ".repeat(stop - i);
      i = stop;
    } else if (c === "/" && next === "*") {
      const end = sql.indexOf("*/", i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      out += sql.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/**
 * The params to send: a value for every placeholder in the SQL (empty when
 * none was typed), and nothing for names no longer in it.
 */
export function paramsFor(names: string[], values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) out[n] = values[n] ?? "";
  return out;
}
