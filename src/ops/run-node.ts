import { ClusteredActorSystem } from "../node/clustered-system.js";
import { MemberDowned, MemberExited, MemberRemoved } from "../cluster/events.js";
import type { NodeOptions } from "../node/clustered-system.js";
import { clusterOptionsFromEnv } from "./env.js";

export interface RunNodeOptions extends Partial<NodeOptions> {
  /** Where the `CASTY_*` variables come from (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Signals that make the node leave and exit (default SIGTERM and SIGINT). */
  signals?: readonly NodeJS.Signals[];
}

/** Writes why the process ends to stderr, then ends it (the exit code says whether it left cleanly). */
function exit(code: number, why: string): never {
  process.stderr.write(`casty: ${why}\n`);
  process.exit(code);
}

/**
 * A node process in one call: options from the environment (overridden by `overrides`), the node
 * started, `setup(system)` run, and on SIGTERM/SIGINT the coordinated shutdown (hand shards off, leave,
 * stop). The process exits 0 after a clean leave; 1 when the node could not start, `setup` failed,
 * the leave was not confirmed within `leaveTimeout`, or the cluster downed the node.
 */
export async function runNode(setup: (system: ClusteredActorSystem) => void | Promise<void>, overrides: RunNodeOptions = {}): Promise<ClusteredActorSystem> {
  const { env, signals = ["SIGTERM", "SIGINT"], ...rest } = overrides;
  let system: ClusteredActorSystem;
  try {
    system = await ClusteredActorSystem.start({ ...clusterOptionsFromEnv(env), ...rest });
  } catch (error) {
    return exit(1, `the node did not start: ${(error as Error).message}`);
  }
  const self = system.selfAddress;
  let left = false;
  let downed = false;
  system.cluster.subscribe(MemberExited, (event) => (left ||= event.address === self));
  system.cluster.subscribe(MemberRemoved, (event) => (left ||= event.address === self && event.previousStatus !== "down"));
  system.cluster.subscribe(MemberDowned, (event) => (downed ||= event.address === self));

  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled !== undefined) return;
    signalled = signal;
    system.log.info(`${signal}: leaving the cluster`);
    void system.shutdown();
  };
  for (const signal of signals) process.on(signal, onSignal);

  // However the system ends (signal, leave, downed), the process ends with it.
  void system.whenTerminated.then(() => {
    for (const signal of signals) process.off(signal, onSignal);
    if (downed) exit(1, `${self} was downed by the cluster`);
    if (!left && system.cluster.state.members.some((m) => m.address !== self)) exit(1, `${self} stopped without a confirmed leave`);
    exit(0, `${self} left the cluster${signalled === undefined ? "" : ` after ${signalled}`}`);
  });

  try {
    await setup(system);
  } catch (error) {
    system.log.error("setup failed", error);
    await system.shutdown();
    return exit(1, `setup failed: ${(error as Error).message}`);
  }
  return system;
}
