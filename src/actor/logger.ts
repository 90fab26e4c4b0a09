export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

const rank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && Object.hasOwn(rank, value);
}

function envLevel(): LogLevel {
  const level = process.env.CASTY_LOG_LEVEL as LogLevel | undefined;
  return level !== undefined && level in rank ? level : "info";
}

/** Console logger with a level and a source prefix (system name, actor path). */
export class ConsoleLogger implements Logger {
  constructor(
    private readonly source: string,
    private readonly level: LogLevel = envLevel(),
  ) {}

  debug(message: string, ...details: unknown[]): void {
    if (rank[this.level] <= 0) console.debug(`[debug] [${this.source}] ${message}`, ...details);
  }
  info(message: string, ...details: unknown[]): void {
    if (rank[this.level] <= 1) console.info(`[info] [${this.source}] ${message}`, ...details);
  }
  warn(message: string, ...details: unknown[]): void {
    if (rank[this.level] <= 2) console.warn(`[warn] [${this.source}] ${message}`, ...details);
  }
  error(message: string, ...details: unknown[]): void {
    if (rank[this.level] <= 3) console.error(`[error] [${this.source}] ${message}`, ...details);
  }
}

/** Passes on the lines of `level` and above to `logger` (a custom logger under `logLevel`). */
export function atLevel(logger: Logger, level: LogLevel): Logger {
  const min = rank[level];
  const skip = (): void => {};
  return {
    debug: min <= 0 ? (m, ...d) => logger.debug(m, ...d) : skip,
    info: min <= 1 ? (m, ...d) => logger.info(m, ...d) : skip,
    warn: min <= 2 ? (m, ...d) => logger.warn(m, ...d) : skip,
    error: min <= 3 ? (m, ...d) => logger.error(m, ...d) : skip,
  };
}

/** Prefixes every line of another logger (used for `ctx.log`). */
export function prefixed(logger: Logger, prefix: string): Logger {
  return {
    debug: (m, ...d) => logger.debug(`${prefix} ${m}`, ...d),
    info: (m, ...d) => logger.info(`${prefix} ${m}`, ...d),
    warn: (m, ...d) => logger.warn(`${prefix} ${m}`, ...d),
    error: (m, ...d) => logger.error(`${prefix} ${m}`, ...d),
  };
}
