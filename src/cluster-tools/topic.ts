import type { ExtensionIdFor } from "../actor/api.js";
import { InvalidOptionError } from "../actor/errors.js";
import type { ActorRef } from "../actor/ref.js";
import type { ActorSystem } from "../actor/system.js";
import { nodeOf } from "./cluster-node.js";
import { Receptionist } from "./receptionist.js";
import { ServiceKey } from "./service-key.js";
import { Published, registerTopicProtocol, Subscribe, topicActor, topicActorName, Unsubscribe } from "./topic-actor.js";

/**
 * A distributed publish-subscribe topic: `publish` reaches every subscriber on every node once, in
 * publish order per publishing node. Nodes find each other's subscribers through the receptionist,
 * so a new subscriber hears messages published after its node's listing spread (about a second).
 */
export class Topic<M> {
  private readonly key: ServiceKey<unknown>;

  constructor(
    readonly name: string,
    private readonly actor: ActorRef<unknown>,
    private readonly receptionist: Receptionist,
  ) {
    this.key = topicKey(name);
  }

  publish(message: M): void {
    const published = new Published(message);
    for (const node of this.receptionist.find(this.key)) node.tell(published);
  }

  /** Delivers every message published from now on to `ref`, until it stops or unsubscribes. Returns the unsubscribe. */
  subscribe(ref: ActorRef<M>): () => void {
    this.actor.tell(new Subscribe(ref));
    return () => this.unsubscribe(ref);
  }

  unsubscribe(ref: ActorRef<M>): void {
    this.actor.tell(new Unsubscribe(ref));
  }
}

function topicKey(name: string): ServiceKey<unknown> {
  return new ServiceKey(`casty.topic.${name}`);
}

/** The topics of one node (`system.topic(name)`). */
export class Topics {
  private readonly system: ActorSystem;
  private readonly topics = new Map<string, Topic<unknown>>();

  static of(system: ActorSystem): Topics {
    return system.extension(TopicsId);
  }

  constructor(system: ActorSystem) {
    this.system = system;
    registerTopicProtocol(nodeOf(system).remoting.serialization);
  }

  topic<M>(name: string): Topic<M> {
    if (typeof name !== "string" || name.length === 0) throw new InvalidOptionError("a topic needs a non-empty name");
    let topic = this.topics.get(name);
    if (topic === undefined) {
      const receptionist = Receptionist.of(this.system);
      const key = topicKey(name);
      const actor = this.system.spawnSystemActor(
        topicActor((self, listed) => (listed ? receptionist.register(key, self) : receptionist.deregister(key, self))),
        topicActorName(name),
      );
      topic = new Topic(name, actor, receptionist);
      this.topics.set(name, topic);
    }
    return topic;
  }
}

export const TopicsId: ExtensionIdFor<Topics, ActorSystem> = {
  key: "casty.Topics",
  create: (system) => new Topics(system),
};
