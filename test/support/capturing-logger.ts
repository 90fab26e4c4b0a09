import type { Logger } from "../../src/index.js";

export interface LogLine {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly message: string;
}

/** A `logger` option that records every line. */
export class CapturingLogger implements Logger {
  readonly lines: LogLine[] = [];
  debug(message: string): void {
    this.lines.push({ level: "debug", message });
  }
  info(message: string): void {
    this.lines.push({ level: "info", message });
  }
  warn(message: string): void {
    this.lines.push({ level: "warn", message });
  }
  error(message: string): void {
    this.lines.push({ level: "error", message });
  }
  /** Lines of `level` (or worse) whose text matches `pattern`. */
  matching(pattern: RegExp, level: LogLine["level"] = "debug"): LogLine[] {
    const rank = { debug: 0, info: 1, warn: 2, error: 3 };
    return this.lines.filter((line) => rank[line.level] >= rank[level] && pattern.test(line.message));
  }
}
