// The actor layer's public interfaces stay free of implementation. (Layers and cycles of the whole of
// src/ are checked in test/layering.test.ts.)
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const src = resolve(import.meta.dirname, "../../src");

describe("actor API module", () => {
  it("keeps api.ts free of implementation: type imports only", () => {
    const text = readFileSync(join(src, "actor/api.ts"), "utf8");
    const imports = [...text.matchAll(/^import\s+(type\s)?/gm)];
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.every((m) => m[1] !== undefined)).toBe(true);
    expect(text).not.toMatch(/^export (const|class|function|enum)/m);
  });
});
