// One linter for the whole tree: the recommended JS and type-aware TypeScript rules.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  // wasm/ is AssemblyScript, checked by its own compiler (npm run build:wasm).
  { ignores: ["dist/", "node_modules/", "coverage/", "bench/data/", "wasm/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: "readonly", console: "readonly", Buffer: "readonly" },
    },
    rules: {
      "no-control-regex": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
);
