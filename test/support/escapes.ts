import { afterAll, beforeAll } from "vitest";

/**
 * Records every unhandled rejection and uncaught exception while the file's tests run, so a test can
 * fail when an error escaped to the process (in production that kills the node).
 */
export function escapes(): { readonly errors: unknown[]; assertNone(): void } {
  const errors: unknown[] = [];
  const record = (error: unknown) => void errors.push(error);
  beforeAll(() => {
    process.on("unhandledRejection", record);
    process.on("uncaughtException", record);
  });
  afterAll(() => {
    process.off("unhandledRejection", record);
    process.off("uncaughtException", record);
  });
  return {
    errors,
    assertNone() {
      if (errors.length > 0) {
        const first = errors[0];
        throw new Error(`${errors.length} error(s) escaped to the process; first: ${first instanceof Error ? (first.stack ?? first.message) : String(first)}`);
      }
    },
  };
}
