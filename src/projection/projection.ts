import { LocalBehaviors, type Behavior } from "../actor/behavior.js";
import { InvalidOptionError } from "../actor/errors.js";
import type { ActorRef } from "../actor/ref.js";
import type { ActorSystem } from "../actor/system.js";
import { ClusterExtensionId } from "../cluster/cluster.js";
import { Singletons } from "../cluster-tools/singleton.js";
import type { ProjectionOptions } from "./projection-options.js";
import { ProjectionRun } from "./projection-run.js";

/** Stops the projection's actor after the event in hand (the next start resumes from its offset). */
export interface StopProjection {
  readonly kind: "stop";
}

/** A started projection. */
export interface Projection {
  readonly name: string;
  /** The actor that runs it: on a cluster node, the ref of its singleton. */
  readonly ref: ActorRef<StopProjection>;
}

/** An actor that runs the projection while it lives (stopping it lets the event in hand finish). */
export function projectionBehavior<Tx>(options: ProjectionOptions<Tx>): Behavior<StopProjection> {
  return LocalBehaviors.setup((ctx) => {
    const run = new ProjectionRun(options, ctx.system.scheduler, ctx.log);
    run.start();
    return LocalBehaviors.withLifecycle(
      LocalBehaviors.receive<StopProjection>(() => LocalBehaviors.stopped()),
      { postStop: () => run.stop() },
    );
  });
}

/**
 * `system.projection(options)`: runs `handler` over the events tagged `tag`, resuming from the offset
 * in `offsetStore`. On a cluster node it runs as the cluster singleton `projection-<name>` (start it
 * on every node), so once in the cluster; on a plain system, as a system actor of this process.
 */
export function projection<Tx>(system: ActorSystem, options: ProjectionOptions<Tx>): Projection {
  if (typeof options.name !== "string" || options.name === "") throw new InvalidOptionError("a projection needs a non-empty name");
  const behavior = projectionBehavior(options);
  const name = `projection-${options.name}`;
  const ref = system.findExtension(ClusterExtensionId) === undefined ? system.spawnSystemActor(behavior, name) : Singletons.of(system).start(behavior, name);
  return { name: options.name, ref };
}
