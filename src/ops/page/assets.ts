import { readFileSync } from "node:fs";

/** A file of the page, as served. */
export interface Asset {
  readonly contentType: string;
  readonly body: Buffer;
}

/** The page's files, shipped in the package next to this module (`npm run build` copies them into dist). */
const files: Readonly<Record<string, { readonly file: string; readonly contentType: string }>> = {
  "/": { file: "index.html", contentType: "text/html; charset=utf-8" },
  "/page.css": { file: "page.css", contentType: "text/css; charset=utf-8" },
  "/page.mjs": { file: "page.mjs", contentType: "text/javascript; charset=utf-8" },
};

/** The page's files by URL path, read once (when a node starts serving HTTP). */
export function pageAssets(): ReadonlyMap<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const [path, { file, contentType }] of Object.entries(files)) {
    assets.set(path, { contentType, body: readFileSync(new URL(`./assets/${file}`, import.meta.url)) });
  }
  return assets;
}
