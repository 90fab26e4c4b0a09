// Type-aware lint: escaping rejections and forgotten awaits fail `npm test` before anything runs.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["gen/**", "dist/**", "node_modules/**", "test/fixtures/gen/**", "examples/*/gen/**", "**/*.js", "**/*.mjs", "**/*.cjs"] },
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // One-line arrows that call a void function read better; their results are never used.
      "@typescript-eslint/no-confusing-void-expression": "off",
      // Hot paths index arrays and maps whose entries are known to exist.
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true, allowNullish: true }],
      // `TimerHandle` is an opaque `unknown` on purpose; `TimerHandle | undefined` says what a field holds.
      "@typescript-eslint/no-redundant-type-constituents": "off",
      // Handlers and `then` callbacks may return nothing (meaning "same"), typed `Behavior<M> | void` as users write them.
      "@typescript-eslint/no-invalid-void-type": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
    },
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: {
      // Tests read the messages of the errors they provoke.
      "@typescript-eslint/use-unknown-in-catch-callback-variable": "off",
      // Tests and benchmarks drive the async code paths with async functions that need no await.
      "@typescript-eslint/require-await": "off",
      // Tests probe values that the types rule out (what a JavaScript caller or the wire could send).
      "@typescript-eslint/no-unnecessary-condition": "off",
    },
  },
);
