// The live cluster page in a real browser: three node processes, the page of the first in headless
// Chromium (Debian's, driven by playwright-core) shows the three members and their shards, then a node
// killed with SIGKILL turns unreachable on it. A screenshot of each state lands in the test's temp dir.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { NodeProcess } from "../support/node-process.js";
import { waitFor } from "../support/wait.js";

interface PageNodeLine {
  readonly type: string;
  readonly address?: string;
  readonly http?: string;
}

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const dir = mkdtempSync(join(tmpdir(), "casty-page-"));
const processes: NodeProcess<PageNodeLine>[] = [];
let browser: BrowserContext | undefined;

afterAll(async () => {
  await browser?.close();
  for (const p of processes) p.kill("SIGKILL");
  rmSync(join(dir, "profile"), { recursive: true, force: true });
});

async function startNode(seeds?: string): Promise<NodeProcess<PageNodeLine>> {
  const node = new NodeProcess<PageNodeLine>("test/ops/fixtures/page-node.ts", seeds === undefined ? [] : ["--seeds", seeds]);
  processes.push(node);
  await waitFor(() => node.address !== undefined || node.exited !== undefined, 20_000, "a node to start").catch((e: Error) => {
    throw new Error(`${e.message}: ${node.describe()}`);
  });
  expect(node.exited, node.describe()).toBeUndefined();
  return node;
}

interface ShownMember {
  readonly address: string;
  readonly status: string;
  readonly reachable: boolean;
  /** Shards of the region "accounts" in the node's bar (-1 when it has no bar). */
  readonly shards: number;
}

/** What the page shows per member row: status, reachability, and its shards in the region's bars. */
async function shown(page: Page): Promise<ShownMember[]> {
  const members: ShownMember[] = [];
  for (const row of await page.locator("#members tbody tr").all()) {
    const address = (await row.getAttribute("data-member")) ?? "";
    const bar = page.locator(`#regions .row[data-region="accounts"][data-node="${address}"]`);
    members.push({
      address,
      status: (await row.getAttribute("data-status")) ?? "",
      reachable: (await row.getAttribute("data-reachable")) === "true",
      shards: (await bar.count()) === 1 ? Number(await bar.getAttribute("data-shards")) : -1,
    });
  }
  return members;
}

async function until(page: Page, what: string, check: (rows: readonly ShownMember[]) => boolean, timeout: number): Promise<void> {
  const deadline = Date.now() + timeout;
  let rows = await shown(page);
  while (!check(rows)) {
    if (Date.now() > deadline) throw new Error(`the page did not show ${what} within ${timeout} ms: ${JSON.stringify(rows)}`);
    await page.waitForTimeout(200);
    rows = await shown(page);
  }
}

describe("the live cluster page", () => {
  it("shows three members with their shards, then a killed node as unreachable", { timeout: 80_000 }, async () => {
    const first = await startNode();
    const others = await Promise.all([startNode(first.address), startNode(first.address)]);
    const nodes = [first, ...others];
    const addresses = nodes.map((n) => n.address!).sort();

    // a fresh profile (the --user-data-dir) in the test's temp dir
    browser = await chromium.launchPersistentContext(join(dir, "profile"), { executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    const url = first.lines.find((l) => l.type === "started")!.http!;
    await page.goto(url, { timeout: 15_000 });

    await until(
      page,
      "three Up members holding all 30 shards",
      (rows) => rows.length === 3 && rows.every((r) => r.status === "up" && r.reachable && r.shards > 0) && rows.reduce((sum, r) => sum + r.shards, 0) === 30,
      30_000,
    );
    expect((await shown(page)).map((r) => r.address).sort()).toEqual(addresses);
    expect(await page.textContent("#connection")).toBe("live");
    await page.screenshot({ path: join(dir, "three-up.png"), fullPage: true });
    expect(statSync(join(dir, "three-up.png")).size).toBeGreaterThan(0);

    const victim = others[1];
    victim.kill("SIGKILL");
    await until(
      page,
      `${victim.address} unreachable`,
      (rows) => rows.some((r) => r.address === victim.address && (!r.reachable || r.status === "down")),
      30_000,
    );
    await page.screenshot({ path: join(dir, "one-unreachable.png"), fullPage: true });
    expect(statSync(join(dir, "one-unreachable.png")).size).toBeGreaterThan(0);
  });
});
