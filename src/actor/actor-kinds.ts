/**
 * Counters of one kind of actor: a top-level actor and everything below it (e.g. a shard region and
 * its entities). Plain integers the runtime bumps as it goes; metrics read them when scraped.
 */
export class KindCounters {
  /** Messages the actors of this kind processed. */
  processed = 0;
  /** Messages to actors of this kind that became dead letters. */
  deadLetters = 0;

  constructor(readonly kind: string) {}
}

/** Top-level actors spawned without a name count together, so that the kinds stay few. */
const ANONYMOUS = "$anonymous";
/** The kinds of anonymous top-level actors, made once: spawning one then builds no string to look up. */
const ANONYMOUS_KINDS: Readonly<Record<string, string>> = { "/user": `/user/${ANONYMOUS}`, "/system": `/system/${ANONYMOUS}` };

/**
 * The kind of the actor at `path`: its top-level ancestor under `/user` or `/system` ("/user/accounts"
 * for the region and every entity of it), the first segment elsewhere ("/temp" for ask replies).
 */
export function kindOf(path: string): string {
  const second = path.indexOf("/", 1);
  if (second < 0) return path;
  const root = second === 5 && path.startsWith("/user") ? "/user" : second === 7 && path.startsWith("/system") ? "/system" : undefined;
  if (root === undefined) return path.slice(0, second);
  if (path.charCodeAt(second + 1) === 36 /* $ */) return ANONYMOUS_KINDS[root];
  const third = path.indexOf("/", second + 1);
  return third < 0 ? path : path.slice(0, third);
}

/** The counters of every kind of actor a system has had, by kind. */
export class ActorKinds {
  private readonly byKind = new Map<string, KindCounters>();

  /** The counters of the kind `path` belongs to, created on first use. */
  of(path: string): KindCounters {
    const kind = kindOf(path);
    let counters = this.byKind.get(kind);
    if (counters === undefined) this.byKind.set(kind, (counters = new KindCounters(kind)));
    return counters;
  }

  get all(): Iterable<KindCounters> {
    return this.byKind.values();
  }
}
