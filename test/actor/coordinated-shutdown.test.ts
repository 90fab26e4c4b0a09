import { afterEach, describe, expect, it } from "vitest";
import { ActorSystem, Behaviors, InvalidOptionError, ShutdownPhase, type ShutdownReason } from "../../src/index.js";
import { CapturingLogger } from "../support/capturing-logger.js";
import { VirtualScheduler } from "../support/virtual-scheduler.js";
import { deferred, waitFor } from "../support/wait.js";

let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.shutdown();
  system = undefined;
});

const never = (): Promise<void> => new Promise<void>(() => {});

describe("coordinated shutdown", () => {
  it("runs phases in order, user actors before transports before system actors", async () => {
    const log: string[] = [];
    system = new ActorSystem({ name: "order", logLevel: "silent" });
    const cs = system.coordinatedShutdown;
    system.spawn(
      Behaviors.withLifecycle(
        Behaviors.receive<never>(() => Behaviors.same()),
        { postStop: () => void log.push("user actor stopped") },
      ),
      "u",
    );
    system.spawnSystemActor(
      Behaviors.withLifecycle(
        Behaviors.receive<never>(() => Behaviors.same()),
        { postStop: () => void log.push("system actor stopped") },
      ),
      "s",
    );
    // added out of order on purpose
    cs.addTask(ShutdownPhase.closeTransports, "transports", () => void log.push("close-transports"));
    cs.addTask(ShutdownPhase.clusterLeave, "leave", () => void log.push("cluster-leave"));
    cs.addTask(ShutdownPhase.beforeServiceUnbind, "first", () => void log.push("before-service-unbind"));
    cs.addTask(ShutdownPhase.shardingHandOff, "hand-off", () => void log.push("sharding"));
    cs.addTask(ShutdownPhase.serviceUnbind, "unbind", async () => {
      await Promise.resolve();
      log.push("service-unbind");
    });
    await system.shutdown();
    expect(log).toEqual([
      "before-service-unbind",
      "service-unbind",
      "sharding",
      "cluster-leave",
      "user actor stopped",
      "close-transports",
      "system actor stopped",
    ]);
    expect(system.isTerminated).toBe(true);
  });

  it("runs the tasks of one phase concurrently", async () => {
    system = new ActorSystem({ name: "concurrent", logLevel: "silent" });
    const a = deferred<void>();
    const started: string[] = [];
    system.coordinatedShutdown.addTask(ShutdownPhase.serviceUnbind, "a", async () => {
      started.push("a");
      await a.promise;
    });
    system.coordinatedShutdown.addTask(ShutdownPhase.serviceUnbind, "b", () => {
      started.push("b");
      a.resolve(); // "a" is still waiting: both run at the same time
    });
    await system.shutdown();
    expect(started).toEqual(["a", "b"]);
  });

  it("ends a phase at its timeout with a warning naming the tasks still running, through the scheduler", async () => {
    const scheduler = new VirtualScheduler(1);
    const logger = new CapturingLogger();
    system = new ActorSystem({ name: "slow", scheduler, logger, shutdown: { phaseTimeout: 1000, phaseTimeouts: { "cluster-exiting": 300 } } });
    const later: string[] = [];
    system.coordinatedShutdown.addTask(ShutdownPhase.clusterExiting, "wait-for-removal", never);
    system.coordinatedShutdown.addTask(ShutdownPhase.clusterExiting, "quick", () => {});
    system.coordinatedShutdown.addTask(ShutdownPhase.beforeActorSystemTerminate, "next", () => void later.push("next ran"));
    let done = false;
    const shutdown = system.shutdown().then(() => (done = true));
    await scheduler.advance(299);
    expect(done).toBe(false);
    await scheduler.advance(1);
    await waitFor(() => done, 2000, "shutdown after the phase timeout");
    await shutdown;
    expect(later).toEqual(["next ran"]);
    const warns = logger.matching(/cluster-exiting timed out after 300 ms/, "warn");
    expect(warns).toHaveLength(1);
    expect(warns[0].message).toContain("wait-for-removal");
    expect(warns[0].message).not.toContain("quick");
  });

  it("logs a failing task and still runs the next phases", async () => {
    const logger = new CapturingLogger();
    system = new ActorSystem({ name: "failing", logger });
    const ran: string[] = [];
    system.coordinatedShutdown.addTask(ShutdownPhase.serviceUnbind, "throws", () => {
      throw new Error("boom");
    });
    system.coordinatedShutdown.addTask(ShutdownPhase.serviceUnbind, "rejects", () => Promise.reject(new Error("bang")));
    system.coordinatedShutdown.addTask(ShutdownPhase.clusterLeave, "after", () => void ran.push("after"));
    await system.shutdown();
    expect(ran).toEqual(["after"]);
    expect(logger.matching(/"throws" in phase service-unbind failed/, "error")).toHaveLength(1);
    expect(logger.matching(/"rejects" in phase service-unbind failed/, "error")).toHaveLength(1);
    expect(system.isTerminated).toBe(true);
  });

  it("runs once: every call returns the same promise, and tasks get the first reason", async () => {
    system = new ActorSystem({ name: "idem", logLevel: "silent" });
    const cs = system.coordinatedShutdown;
    const reasons: ShutdownReason[] = [];
    cs.addTask(ShutdownPhase.clusterLeave, "count", (reason) => void reasons.push(reason));
    expect(cs.isRunning).toBe(false);
    expect(cs.reason).toBeUndefined();
    const first = cs.run("leave");
    const second = system.shutdown();
    const third = cs.run("downed");
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(cs.isRunning).toBe(true);
    expect(cs.reason).toBe("leave");
    await first;
    expect(reasons).toEqual(["leave"]);
  });

  it("removes a task with the function addTask returns", async () => {
    system = new ActorSystem({ name: "remove", logLevel: "silent" });
    const ran: string[] = [];
    const remove = system.coordinatedShutdown.addTask(ShutdownPhase.clusterLeave, "gone", () => void ran.push("gone"));
    system.coordinatedShutdown.addTask(ShutdownPhase.clusterLeave, "kept", () => void ran.push("kept"));
    remove();
    await system.shutdown();
    expect(ran).toEqual(["kept"]);
  });

  it("does not run a task added after its phase started, and says so", async () => {
    const logger = new CapturingLogger();
    system = new ActorSystem({ name: "late", logger });
    const ran: string[] = [];
    system.coordinatedShutdown.addTask(ShutdownPhase.clusterLeave, "adds-late", () => {
      system!.coordinatedShutdown.addTask(ShutdownPhase.serviceUnbind, "too-late", () => void ran.push("too-late"));
      system!.coordinatedShutdown.addTask(ShutdownPhase.closeTransports, "in-time", () => void ran.push("in-time"));
    });
    await system.shutdown();
    expect(ran).toEqual(["in-time"]);
    expect(logger.matching(/"too-late" added to phase service-unbind, which already ran/, "warn")).toHaveLength(1);
  });

  it("bounds a postStop that never resolves, warning with the actor's path", async () => {
    const logger = new CapturingLogger();
    system = new ActorSystem({ name: "hung", logger, shutdown: { phaseTimeouts: { "stop-user-actors": 100 } } });
    system.spawn(
      Behaviors.setup<never>((ctx) => {
        ctx.spawn(
          Behaviors.withLifecycle(
            Behaviors.receive<never>(() => Behaviors.same()),
            { postStop: never },
          ),
          "stuck",
        );
        ctx.spawn(
          Behaviors.receive<never>(() => Behaviors.same()),
          "fine",
        );
        return Behaviors.receive(() => Behaviors.same());
      }),
      "parent",
    );
    await system.shutdown();
    expect(system.isTerminated).toBe(true);
    const warns = logger.matching(/stop-user-actors timed out after 100 ms/, "warn");
    expect(warns).toHaveLength(1);
    expect(warns[0].message).toContain("/user/parent/stuck");
    expect(warns[0].message).not.toContain("/user/parent/fine");
  });

  it("refuses spawns once actors stop, not during the earlier phases", async () => {
    system = new ActorSystem({ name: "spawns", logLevel: "silent" });
    let spawnedDuringLeave = false;
    system.coordinatedShutdown.addTask(ShutdownPhase.clusterLeave, "spawns", () => {
      system!.spawn(
        Behaviors.receive<never>(() => Behaviors.same()),
        "late-worker",
      );
      spawnedDuringLeave = true;
    });
    await system.shutdown();
    expect(spawnedDuringLeave).toBe(true);
    expect(() => system!.spawn(Behaviors.receive<never>(() => Behaviors.same()))).toThrow(/terminated/);
  });

  it("validates its options", () => {
    expect(() => new ActorSystem({ shutdown: { phaseTimeout: 0 } })).toThrow(InvalidOptionError);
    expect(() => new ActorSystem({ shutdown: { phaseTimeouts: { "no-such-phase": 10 } as never } })).toThrow(/unknown shutdown phase/);
    const s = new ActorSystem({ name: "phases", logLevel: "silent" });
    expect(() => s.coordinatedShutdown.addTask("nope" as never, "x", () => {})).toThrow(/unknown shutdown phase/);
    return s.shutdown();
  });
});
