import type { ActorContext, Behavior } from "../actor/api.js";
import { LocalBehaviors } from "../actor/behavior.js";
import type { ActorRef } from "../actor/ref.js";
import { Terminated } from "../actor/terminated.js";
import { ClusterEvent, MemberDowned, MemberExited, MemberLeft, MemberRemoved, MemberUp } from "../cluster/events.js";
import type { Serialization } from "../serialization/index.js";
import type { ClusterNode } from "./cluster-node.js";
import { noListings, withLocal, withNode, type Listings } from "./listing.js";

export class Register {
  constructor(
    readonly keyId: string,
    readonly ref: ActorRef<unknown>,
  ) {}
}

export class Deregister {
  constructor(
    readonly keyId: string,
    readonly ref: ActorRef<unknown>,
  ) {}
}

/** One node's own registrations, sent whole to every other receptionist (latest wins: one sender, in order). */
export class Registrations {
  constructor(
    readonly from: string,
    readonly entries: readonly (readonly [string, readonly ActorRef<unknown>[]])[],
  ) {}
}

export function registerReceptionistProtocol(serialization: Serialization): void {
  serialization.registerClass(Registrations, "casty.receptionist.Registrations");
}

const TICK = Symbol("tick");
/** Every node resends its registrations this often, so that a lost update or a new member catches up. */
const RESEND_MS = 1000;

export const RECEPTIONIST_NAME = "receptionist";

/**
 * The receptionist of one node: keeps this node's registrations (dropping actors that stop), sends
 * them to the other nodes on each change and periodically, and forgets a node's once it is removed.
 */
export function receptionistActor(node: ClusterNode, changed: (listings: Listings) => void): Behavior<unknown> {
  return LocalBehaviors.setup<unknown>((ctx) => {
    const self = node.cluster.selfAddress;
    let listings = noListings;
    const update = (next: Listings): void => {
      listings = next;
      changed(next);
    };
    const peer = (address: string): ActorRef<unknown> => node.refAt(address, ctx.self.path);
    const snapshot = (): Registrations => new Registrations(self, [...listings.local]);
    const sendAll = (): void => {
      const message = snapshot();
      for (const member of node.cluster.state.members) if (member.address !== self) peer(member.address).tell(message);
    };
    const setLocal = (keyId: string, refs: readonly ActorRef<unknown>[]): void => {
      update(withLocal(listings, keyId, refs));
      sendAll();
    };
    /** Registrations count from Joining and Up members only. */
    const listed = (address: string): boolean => node.cluster.state.members.some((m) => m.address === address && (m.status === "up" || m.status === "joining"));
    const off = node.cluster.subscribe(ClusterEvent, (event) => ctx.self.tell(event));
    ctx.startTimer("resend", TICK, RESEND_MS);
    return LocalBehaviors.withLifecycle(
      LocalBehaviors.receive<unknown>((ctx: ActorContext<unknown>, message) => {
        if (message instanceof Register) {
          const refs = listings.local.get(message.keyId) ?? [];
          if (!refs.some((ref) => ref.equals(message.ref))) {
            ctx.watch(message.ref);
            setLocal(message.keyId, [...refs, message.ref]);
          }
        } else if (message instanceof Deregister) {
          const refs = listings.local.get(message.keyId) ?? [];
          if (refs.some((ref) => ref.equals(message.ref)))
            setLocal(
              message.keyId,
              refs.filter((ref) => !ref.equals(message.ref)),
            );
        } else if (message instanceof Terminated) {
          for (const [keyId, refs] of listings.local)
            if (refs.some((ref) => ref.equals(message.ref)))
              setLocal(
                keyId,
                refs.filter((ref) => !ref.equals(message.ref)),
              );
        } else if (message instanceof Registrations) {
          if (listed(message.from)) update(withNode(listings, message.from, new Map(message.entries)));
        } else if (message instanceof MemberRemoved || message instanceof MemberLeft || message instanceof MemberExited || message instanceof MemberDowned) {
          // a node on its way out serves no more: its actors leave the listings before it is gone
          if (listings.remote.has(message.address)) update(withNode(listings, message.address, undefined));
        } else if (message instanceof MemberUp) {
          if (message.address !== self) peer(message.address).tell(snapshot());
        } else if (message === TICK) sendAll();
        return LocalBehaviors.same();
      }),
      { postStop: () => off() },
    );
  });
}
