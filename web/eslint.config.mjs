// ESLint for every package and app of the workspace (`npm run lint`, part of
// `npm test`): the recommended JavaScript and TypeScript rules, the rules of
// React hooks, and the accessibility rules for JSX (jsx-a11y, strict). The
// TypeScript rules are the ones that need no type information: `npm run
// typecheck` does the type checking, and the type-aware rules took minutes.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";
import jsxA11y from "eslint-plugin-jsx-a11y";
import globals from "globals";

export default tseslint.config(
  {
    ignores: ["dist/**", "**/node_modules/**", "packages/ui/src/api/schema.gen.ts"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The rules of hooks, as errors. (Version 7's React Compiler rules are
    // left out: they are for code the compiler is to optimise, and slow.)
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
    },
  },
  jsxA11y.flatConfigs.strict,
  {
    files: ["**/*.{ts,tsx}"],
    languageOptions: { globals: globals.browser },
    rules: {
      // A labelled region that scrolls (a wide table, a transcript) takes the
      // keyboard's focus, so that it can be scrolled without a mouse (axe's
      // scrollable-region-focusable asks for it).
      "jsx-a11y/no-noninteractive-tabindex": ["error", { roles: ["tabpanel", "region"], tags: [] }],
      // Choices' labels hold their words a few elements down (<strong>, hints).
      "jsx-a11y/label-has-associated-control": ["error", { depth: 4 }],
      // autoFocus on a DOM element, not a component's prop of that name (a
      // dialog's question moves focus into itself, as a dialog should).
      "jsx-a11y/no-autofocus": ["error", { ignoreNonDOM: true }],
      // `_` names a value left out on purpose (`({ [key]: _, ...rest }) => rest`).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
    },
  },
  {
    // Build scripts and configs run in Node.
    files: ["**/*.{js,mjs}", "apps/*/vite.config.ts"],
    languageOptions: { globals: globals.node },
  },
);
