// A job board on three cluster nodes in this process: distributed data and the cluster tools.
//
//   npx tsx examples/job-board.ts
//
//   node-1 (oldest)        node-2                 node-3
//   dispatcher (singleton) ──▶ workers (receptionist "workers", one per node) ──publish──▶ topic "done"
//   jobs: distributed queue; finished: distributed counter; results: distributed map
//
// What it shows:
// - structures kept in a journal, so they survive their shards moving;
// - every node starts the same singleton (`system.singleton`); any node enqueues jobs on the shared
//   queue (`system.distributed().queue`);
// - the dispatcher runs once in the cluster (on the oldest node), takes jobs from the queue and hands
//   each to a worker it found with the receptionist, round robin;
// - workers store their result in a distributed map, count it in a distributed counter and publish
//   it on a topic that a subscriber on another node follows;
// - when node-1 leaves, the dispatcher is handed over to node-2 and keeps going.
import { Behaviors, ClusteredActorSystem, InMemoryJournal, ServiceKey, type ActorRef } from "../src/index.js";

type Job = { readonly kind: "job"; readonly id: number };
type DispatcherMsg = { readonly kind: "dispatch" } | { readonly kind: "where"; readonly replyTo: ActorRef<string> };
type Done = { readonly job: number; readonly by: string };

const Workers = new ServiceKey<Job>("workers");

const dispatchers = new Map<ClusteredActorSystem, ActorRef<DispatcherMsg>>();
// the structures keep their events here, so that they survive their shards moving when node-1 leaves
// (the three nodes share this process; separate processes would share a SqliteJournal or PostgresJournal)
const journal = new InMemoryJournal();

async function startNode(name: string, seeds: readonly string[]): Promise<ClusteredActorSystem> {
  const system = await ClusteredActorSystem.start({ name: "jobs", host: "127.0.0.1", port: 0, seedNodes: seeds, logLevel: "error", leaveTimeout: 5000 });
  await system.cluster.whenUp();
  const data = system.distributed({ journal });
  const finished = data.counter("finished");
  const results = data.map<number, number>("results");
  const done = system.topic<Done>("done");
  // a worker squares the job id, keeps the result, counts it and announces it
  const worker = system.spawn(
    Behaviors.receive<Job>(async (_ctx, job) => {
      await results.put(job.id, job.id * job.id);
      await finished.increment();
      done.publish({ job: job.id, by: name });
      return Behaviors.same();
    }),
    "worker",
  );
  system.receptionist.register(Workers, worker);
  dispatchers.set(system, system.singleton(dispatcher(name, system), "dispatcher"));
  return system;
}

/** Takes a job from the queue every 20 ms and gives it to the next worker. */
function dispatcher(node: string, system: ClusteredActorSystem) {
  return Behaviors.setup<DispatcherMsg>((ctx) => {
    console.log(`dispatcher: running on ${node}`);
    const jobs = system.distributed({ journal }).queue<number>("jobs");
    let next = 0;
    ctx.startTimer("dispatch", { kind: "dispatch" }, 20);
    return Behaviors.receive(async (_ctx, msg) => {
      if (msg.kind === "where") msg.replyTo.tell(node);
      else {
        const workers = system.receptionist.find(Workers);
        const id = workers.length === 0 ? undefined : await jobs.dequeue();
        if (id !== undefined) workers[next++ % workers.length].tell({ kind: "job", id });
      }
      return Behaviors.same();
    });
  });
}

const node1 = await startNode("node-1", []);
const node2 = await startNode("node-2", [node1.selfAddress]);
const node3 = await startNode("node-3", [node1.selfAddress]);
const all = [node1, node2, node3];
const until = async (check: () => boolean | Promise<boolean>, what: string): Promise<void> => {
  for (const deadline = Date.now() + 15_000; !(await check());) {
    if (Date.now() > deadline) throw new Error(`not within 15 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
await until(() => all.every((s) => s.receptionist.find(Workers).length === 3), "three workers listed everywhere");

const announced: Done[] = [];
const follower = node3.spawn(
  Behaviors.receive<Done>((_ctx, done) => {
    announced.push(done);
    return Behaviors.same();
  }),
  "follower",
);
node3.topic<Done>("done").subscribe(follower);
await until(() => all.every((s) => s.receptionist.find(new ServiceKey("casty.topic.done")).length === 1), "the follower's topic listed everywhere");

const jobs = node2.distributed({ journal }).queue<number>("jobs");
for (let id = 1; id <= 10; id++) await jobs.enqueue(id);
const finished = node3.distributed({ journal }).counter("finished");
await until(async () => (await finished.get()) === 10, "ten jobs finished");
console.log(`main: finished ${await finished.get()} jobs, result of job 7: ${await node1.distributed({ journal }).map<number, number>("results").get(7)}`);
console.log(`main: workers used: ${new Set(announced.map((d) => d.by)).size}`);

console.log("main: node-1 leaves");
await node1.shutdown();
for (let id = 11; id <= 15; id++) await jobs.enqueue(id);
await until(async () => (await finished.get()) === 15, "fifteen jobs finished");
const where = await node2.ask(dispatchers.get(node2)!, (replyTo: ActorRef<string>) => ({ kind: "where", replyTo }));
console.log(`main: the dispatcher runs on ${where}; finished ${await finished.get()} jobs`);
await until(() => announced.length === 15, "fifteen announcements");
console.log(
  `main: announced jobs ${announced
    .map((d) => d.job)
    .sort((a, b) => a - b)
    .join(", ")}`,
);
await Promise.all([node2.shutdown(), node3.shutdown()]);
console.log("main: done");
