// writer-state.ts reads TypeScript-private fields of @bufbuild/protobuf's BinaryWriter. These tests fail
// when a version of the library breaks that assumption, and keep the version pinned exactly.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { describe, expect, it } from "vitest";
import { checkWriterLayout, markWriter, openForks, rollbackWriter, takeWritten, writerPosition } from "../../src/serialization/writer-state.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const readJson = (path: string) => JSON.parse(readFileSync(`${root}${path}`, "utf8")) as Record<string, unknown>;

describe("BinaryWriter's private state", () => {
  it("comes from the exact @bufbuild/protobuf version package.json pins", () => {
    const spec = (readJson("package.json").dependencies as Record<string, string>)["@bufbuild/protobuf"];
    expect(spec).toMatch(/^\d+\.\d+\.\d+$/);
    expect(readJson("node_modules/@bufbuild/protobuf/package.json").version).toBe(spec);
  });

  it("is where checkWriterLayout looks for it", () => {
    expect(() => checkWriterLayout()).not.toThrow();
  });

  it("gives the position and the open forks as the writer's own output counts them", () => {
    const writer = new BinaryWriter();
    writer.uint32(10).string("a string longer than thirty-two ASCII chars, é").fork().double(1.5).fork();
    expect(openForks(writer)).toBe(2);
    writer.bytes(new Uint8Array(300)).join().join().int64(-1n);
    expect(openForks(writer)).toBe(0);
    const position = writerPosition(writer);
    expect(writer.finish().length).toBe(position);
    expect(writerPosition(writer)).toBe(0);
  });

  it("rolls back to a mark, also across a grown buffer and open forks", () => {
    const expected = new BinaryWriter().uint32(8).uint32(1).finish();
    const writer = new BinaryWriter().uint32(8).uint32(1);
    const mark = markWriter(writer);
    writer.uint32(18).fork().bytes(new Uint8Array(10_000)).fork().string("x");
    rollbackWriter(writer, mark);
    expect(openForks(writer)).toBe(0);
    expect(writer.finish()).toStrictEqual(expected);
  });

  it("copies out exactly what finish() would return, and resets the writer", () => {
    const write = (w: BinaryWriter) => w.uint32(10).fork().string("nested").join().fixed64(7n);
    const expected = write(new BinaryWriter()).finish();
    const writer = write(new BinaryWriter());
    expect(new Uint8Array(takeWritten(writer))).toStrictEqual(expected);
    expect(writerPosition(writer)).toBe(0);
    expect(openForks(writer)).toBe(0);
  });
});
