// kill -9 detection with default cluster settings: three node processes (cluster/node.ts) form a
// cluster on 127.0.0.1; after --settle-ms of steady state one is killed with SIGKILL and the time until
// both survivors report it UnreachableMember, then MemberRemoved (keep-majority downing), is taken
// from the kill. --trials=T fresh clusters; victims alternate: a non-leader first, then the leader.
// Every wait is bounded.
import { argNumber, emit, median, type Row } from "../harness.js";
import { NodeProcess, sleep, waitUntil, type NodeLine } from "./common.js";

const trials = argNumber("trials", 4);
const settleMs = argNumber("settle-ms", 5000);

interface Trial {
  readonly victim: "leader" | "non-leader";
  readonly unreachableMs: number; // until both survivors saw it (the later one)
  readonly removedMs: number;
  readonly unreachableEach: number[];
  readonly removedEach: number[];
}

/** Members a process counts as Up now (MemberUp minus MemberRemoved lines). */
function upMembers(p: NodeProcess): Set<string> {
  const up = new Set<string>();
  for (const l of p.lines) {
    if (l.type === "MemberUp") up.add(l.address as string);
    if (l.type === "MemberRemoved") up.delete(l.address as string);
  }
  return up;
}

async function trial(victimKind: Trial["victim"]): Promise<Trial> {
  const first = new NodeProcess("cluster/node.ts");
  const all = [first];
  try {
    const { address } = await first.waitFor("started", 20_000);
    all.push(new NodeProcess("cluster/node.ts", [`--seeds=${String(address)}`]), new NodeProcess("cluster/node.ts", [`--seeds=${String(address)}`]));
    await Promise.all(all.map((p) => p.waitFor("up", 20_000)));
    await waitUntil(() => all.every((p) => upMembers(p).size === 3), 20_000, "three node processes seeing three Up", 5);
    await sleep(settleMs);
    const leader = first.lines.filter((l) => l.type === "LeaderChanged").at(-1)?.leader as string | undefined;
    const addresses = all.map((p) => p.first("started")!.address as string);
    if (!leader || !addresses.includes(leader)) throw new Error(`no leader among ${addresses.join(", ")}`);
    const victim = victimKind === "leader" ? all[addresses.indexOf(leader)] : all.find((_, i) => addresses[i] !== leader)!;
    const victimAddress = addresses[all.indexOf(victim)];
    const survivors = all.filter((p) => p !== victim);
    const killedAt = Date.now();
    victim.kill("SIGKILL");
    const isVictim = (l: NodeLine) => l.address === victimAddress;
    const unreachable = await Promise.all(survivors.map((p) => p.waitFor("UnreachableMember", 15_000, isVictim)));
    const removed = await Promise.all(survivors.map((p) => p.waitFor("MemberRemoved", 30_000, isVictim)));
    const unreachableEach = unreachable.map((l) => l.at - killedAt);
    const removedEach = removed.map((l) => l.at - killedAt);
    return { victim: victimKind, unreachableMs: Math.max(...unreachableEach), removedMs: Math.max(...removedEach), unreachableEach, removedEach };
  } finally {
    await Promise.all(all.map((p) => p.stop(5000)));
  }
}

const results: Trial[] = [];
for (let i = 0; i < trials; i++) results.push(await trial(i % 2 === 0 ? "non-leader" : "leader"));

const list = (f: (t: Trial) => number) => results.map((t) => `${(f(t) / 1000).toFixed(2)}${t.victim === "leader" ? "L" : ""}`).join(" / ");
const unreachable = results.map((t) => t.unreachableMs);
const removed = results.map((t) => t.removedMs);
emit([
  {
    name: "kill -9 → unreachable on both survivors",
    value: Math.max(...unreachable),
    unit: "ms",
    goal: { atMost: 3000 },
    note: `worst of ${results.length} trials (median ${median(unreachable).toFixed(0)} ms): ${list((t) => t.unreachableMs)} s (L = leader killed); 3 processes, defaults, ${settleMs / 1000} s steady first`,
  },
  {
    name: "kill -9 → removed on both survivors",
    value: Math.max(...removed),
    unit: "ms",
    note: `worst of ${results.length} (median ${median(removed).toFixed(0)} ms): ${list((t) => t.removedMs)} s; keep-majority, stable-after 5 s; no goal (test: ≤ 15 s)`,
  },
] satisfies Row[]);
process.exit(0);
