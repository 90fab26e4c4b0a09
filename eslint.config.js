// Type-aware lint: escaping rejections and forgotten awaits fail `npm test` before anything runs.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["gen/**", "dist/**", "node_modules/**", "**/*.js", "**/*.mjs", "**/*.cjs"] },
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // One-line arrows that call a void function read better; their results are never used.
      "@typescript-eslint/no-confusing-void-expression": "off",
      // Hot paths index arrays and maps whose entries are known to exist.
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true, allowNullish: true }],
    },
  },
);
