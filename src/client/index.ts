// The client entry point ("casty/client"): ClusterClient without the node runtime.
export { ClusterClient, type ClusterMembers } from "./cluster-client.js";
export type { CallOptions } from "./rpc.js";
export type { ClusterClientOptions } from "./options.js";
export { ClusterClientError } from "./errors.js";
export { ClientCounter, ClientDistributed, ClientMap, ClientQueue, ClientSet, type ClientStructureOptions } from "./distributed.js";
export { AskTimeoutError } from "../actor/errors.js";
export type { MembershipEvent } from "../../gen/casty/v1/gateway.js";
