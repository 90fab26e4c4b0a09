// What a test's node script (a node in its own process) needs: its arguments, its JSON lines, and
// a clean stop on SIGTERM or when the test runner goes away (stdin closes).

/** The value after `--name` on the command line. */
export function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** One JSON line on stdout, for NodeProcess. */
export function emit(line: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify({ ...line, at: Date.now() }) + "\n");
}

/** Emits `{"type":"up"}` once the node is Up, or `{"type":"error","message"}` when it does not get there in `timeout` ms. */
export function emitWhenUp(system: { cluster: { whenUp(timeout: number): Promise<void> } }, timeout = 30_000): void {
  system.cluster.whenUp(timeout).then(
    () => emit({ type: "up" }),
    (error: unknown) => emit({ type: "error", message: error instanceof Error ? error.message : String(error) }),
  );
}

/** Shuts `system` down and exits 0 on SIGTERM or when stdin ends. */
export function stopOnExit(system: { shutdown(): Promise<void> }): void {
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await system.shutdown();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.stdin.on("end", () => void stop());
  process.stdin.resume();
}
