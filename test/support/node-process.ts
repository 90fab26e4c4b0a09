import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { appendFileSync } from "node:fs";
import { join } from "node:path";

/** Where every node process's whole log is kept (at info level), when set. */
const logDir = process.env.CASTY_TEST_LOG_DIR;

/** A line a test node script prints on stdout (one JSON object per line). */
export interface NodeLine {
  readonly type: string;
  readonly address?: string;
}

/**
 * A node script in its own process (`node --import tsx <script> ...args`): every JSON line it prints
 * is kept, everything else and its stderr too (for failure messages).
 */
export class NodeProcess<L extends NodeLine = NodeLine> {
  readonly lines: L[] = [];
  readonly output: string[] = [];
  /** Called with each JSON line as it arrives. */
  readonly listeners = new Set<(line: L) => void>();
  exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly child: ChildProcess;

  /**
   * `env` is added to the test runner's environment (CASTY_LOG_LEVEL defaults to "error", "info" with
   * CASTY_TEST_LOG_DIR); `prefix` runs node through another command that execs it (e.g. `ip netns exec
   * <ns>`), so the pid stays node's.
   */
  constructor(script: string, args: readonly string[], env: Readonly<Record<string, string>> = {}, prefix: readonly string[] = []) {
    const [command, ...rest] = [...prefix, process.execPath, "--import", "tsx", script, ...args];
    this.child = spawn(command, rest, {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, CASTY_LOG_LEVEL: logDir === undefined ? "error" : "info", ...env },
    });
    createInterface({ input: this.child.stdout! }).on("line", (text) => {
      try {
        const line = JSON.parse(text) as L;
        this.lines.push(line);
        for (const listener of this.listeners) listener(line);
      } catch {
        this.output.push(`stdout: ${text}`);
        this.keep(`${text}\n`);
      }
    });
    this.child.stdin!.on("error", () => undefined); // a write racing the process's death
    this.child.stderr!.on("data", (chunk: Buffer) => {
      this.output.push(chunk.toString());
      this.keep(chunk);
    });
    this.child.on("exit", (code, signal) => (this.exited = { code, signal }));
  }

  /** With CASTY_TEST_LOG_DIR set, the process's log lines go to `<dir>/<pid>.log` too (whole, for diagnosis). */
  private keep(text: string | Buffer): void {
    if (logDir !== undefined) appendFileSync(join(logDir, `${this.child.pid}.log`), text);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The address from the script's `started` line, once printed. */
  get address(): string | undefined {
    return this.lines.find((l) => l.type === "started")?.address;
  }

  /** Writes one JSON line to the script's stdin (dropped once it exited). */
  send(line: Record<string, unknown>): void {
    if (this.exited === undefined && this.child.stdin!.writable) this.child.stdin!.write(JSON.stringify(line) + "\n");
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    if (this.exited === undefined) this.child.kill(signal);
  }

  describe(): string {
    return JSON.stringify({ address: this.address, exited: this.exited, lines: this.lines, output: this.output.join("").slice(-2000) });
  }
}
