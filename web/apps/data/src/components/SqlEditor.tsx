// The SQL editor: CodeMirror 6 with SQL highlighting, completion of the
// warehouse's tables and columns, and Ctrl/Cmd+Enter to run. Tab is left to
// the browser, so keyboard users can move out of the editor.
import { useEffect, useImperativeHandle, useRef, type Ref } from "react";
import { Compartment, EditorState, Prec } from "@codemirror/state";
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
  placeholder as placeholderText,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap, type Completion, type CompletionContext } from "@codemirror/autocomplete";
import { PostgreSQL, sql, type SQLNamespace } from "@codemirror/lang-sql";
import type { DataSchema } from "@lyceum/ui";

export interface EditorHandle {
  /** Replaces the whole text (loading a query, restoring a version). */
  setDoc(text: string): void;
  /** Inserts text at the cursor (a table or column name from the schema browser) and focuses the editor. */
  insert(text: string): void;
  focus(): void;
}

interface Props {
  initial: string;
  onChange(text: string): void;
  onRun(): void;
  schema: DataSchema | undefined;
  label: string;
  describedBy?: string;
  placeholder?: string;
  ref?: Ref<EditorHandle>;
}

/** The schema as lang-sql's namespace: tables (under their schema when qualified) with their columns. */
function namespace(schema: DataSchema): SQLNamespace {
  const ns: Record<string, SQLNamespace> = {};
  for (const t of schema.tables) {
    const columns: Completion[] = t.columns.map((c) => ({ label: c.name, type: "property", detail: c.type, info: c.description || undefined }));
    const parts = t.name.split(".");
    const leaf = parts.pop()!;
    let into = ns;
    for (const p of parts) {
      const existing = into[p];
      const next = (existing && !Array.isArray(existing) && !("self" in existing) ? existing : {}) as Record<string, SQLNamespace>;
      into[p] = next;
      into = next;
    }
    into[leaf] = { self: { label: leaf, type: "type", detail: "table", info: t.description || undefined }, children: columns };
  }
  return ns;
}

/** Bare column names of the tables the query mentions. */
function columnSource(schema: DataSchema) {
  return (ctx: CompletionContext) => {
    const word = ctx.matchBefore(/[\w$]+/);
    if (!word || (word.from === word.to && !ctx.explicit)) return null;
    if (ctx.state.sliceDoc(word.from - 1, word.from) === ".") return null;
    const text = ctx.state.doc.toString().toLowerCase();
    const options: Completion[] = [];
    for (const t of schema.tables) {
      const short = t.name.split(".").pop()!.toLowerCase();
      if (!new RegExp(`\\b${short.replace(/[^\w]/g, "\\$&")}\\b`).test(text)) continue;
      for (const c of t.columns)
        options.push({ label: c.name, type: "property", detail: `${c.type} · ${t.name}`, info: c.description || undefined, boost: 1 });
    }
    return options.length ? { from: word.from, options, validFor: /^[\w$]*$/ } : null;
  };
}

const theme = EditorView.theme({
  "&": { fontSize: "0.95rem", backgroundColor: "var(--surface)", minHeight: "180px" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.55", minHeight: "180px", maxHeight: "60vh" },
  ".cm-content": { padding: "8px 0" },
  ".cm-gutters": { backgroundColor: "var(--surface-2)", color: "var(--muted)", borderRight: "1px solid var(--border)" },
  ".cm-activeLine": { backgroundColor: "#f3f4fb" },
  ".cm-activeLineGutter": { backgroundColor: "#e3e5f2" },
  "&.cm-focused": { outline: "none" },
  ".cm-placeholder": { color: "var(--muted)" },
  ".cm-tooltip-autocomplete ul li[aria-selected]": { background: "var(--primary)", color: "#fff" },
  ".cm-completionDetail": { marginLeft: "0.75em", fontStyle: "normal", opacity: "0.85" },
});

export function SqlEditor({ initial, onChange, onRun, schema, label, describedBy, placeholder, ref }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const handlers = useRef({ onChange, onRun });
  handlers.current = { onChange, onRun };
  const language = useRef(new Compartment());
  const attrs = useRef(new Compartment());

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: initial,
        extensions: [
          Prec.highest(
            keymap.of([
              {
                key: "Mod-Enter",
                run: () => {
                  handlers.current.onRun();
                  return true;
                },
              },
            ]),
          ),
          lineNumbers(),
          highlightActiveLineGutter(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          closeBrackets(),
          autocompletion({ icons: false }),
          highlightActiveLine(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap]),
          language.current.of(sql({ dialect: PostgreSQL })),
          attrs.current.of([]),
          placeholder ? placeholderText(placeholder) : [],
          EditorView.lineWrapping,
          theme,
          EditorView.updateListener.of((u) => {
            if (u.docChanged) handlers.current.onChange(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is created once; its text changes through the handle.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const a: Record<string, string> = { "aria-label": label, "aria-multiline": "true" };
    if (describedBy) a["aria-describedby"] = describedBy;
    view.current?.dispatch({ effects: attrs.current.reconfigure(EditorView.contentAttributes.of(a)) });
  }, [label, describedBy]);

  useEffect(() => {
    if (!schema) return;
    const support = sql({ dialect: PostgreSQL, schema: namespace(schema) });
    view.current?.dispatch({
      effects: language.current.reconfigure([support, support.language.data.of({ autocomplete: columnSource(schema) })]),
    });
  }, [schema]);

  useImperativeHandle(
    ref,
    () => ({
      setDoc(text) {
        const v = view.current;
        if (!v || v.state.doc.toString() === text) return;
        v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } });
      },
      insert(text) {
        const v = view.current;
        if (!v) return;
        const { from, to } = v.state.selection.main;
        // Keep words apart: "select" + "name" is "select name".
        const before = v.state.sliceDoc(Math.max(0, from - 1), from);
        const ins = before && !/[\s(.,]/.test(before) ? " " + text : text;
        v.dispatch({ changes: { from, to, insert: ins }, selection: { anchor: from + ins.length }, scrollIntoView: true });
        v.focus();
      },
      focus() {
        view.current?.focus();
      },
    }),
    [],
  );

  return <div className="sql-editor" ref={host} />;
}
