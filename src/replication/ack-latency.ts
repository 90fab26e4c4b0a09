import { Listeners } from "../actor/listeners.js";

/** How long each persist in this process waited for its replicas' acks (seconds). */
export const replicationAcks = new Listeners<[seconds: number]>();
