// grpc-js's process-wide logger goes through the casty loggers while nodes run: the most recently
// started live node's, at casty's levels; with no node left, grpc-js's own default is back.
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CapturingLogger, TestNodes } from "./fixtures/nodes.js";

const nodes = new TestNodes();
afterEach(() => nodes.shutdownAll());

const grpcLine = (severity: grpc.logVerbosity, text: string) => grpc.experimental.log(severity, text);

describe("grpc-js logging", () => {
  it("goes to the newest live node's logger, errors as warnings; several nodes per process", async () => {
    const first = new CapturingLogger();
    const second = new CapturingLogger();
    const stderr = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const a = await nodes.start({ logger: first });
      const b = await nodes.start({ logger: second });
      grpcLine(grpc.logVerbosity.ERROR, "E something broke");
      expect(second.matching(/grpc-js: E something broke/, "warn")).toHaveLength(1);
      expect(first.lines.filter((l) => l.message.includes("grpc-js"))).toEqual([]);
      await nodes.stop(b);
      grpcLine(grpc.logVerbosity.ERROR, "E after b");
      expect(first.matching(/grpc-js: E after b/, "warn")).toHaveLength(1);
      await nodes.stop(a);
      expect(stderr).not.toHaveBeenCalled();
      grpcLine(grpc.logVerbosity.ERROR, "no node left");
      expect(stderr).toHaveBeenCalledWith("E no node left");
    } finally {
      stderr.mockRestore();
    }
  });
});
