import { describe, expect, it } from "vitest";
import { ActorSystem } from "../../src/actor/system.js";
import {
  InvalidAddressError,
  formatActorUri,
  isValidSystemName,
  nodeUri,
  splitActorUri,
  nodeKey,
  parseActorUri,
  parseNodeKey,
  type ActorAddress,
} from "../../src/remote/address.js";

describe("actor URIs", () => {
  it("parses the remote form", () => {
    expect(parseActorUri("casty://bank@10.0.0.1:25520/user/accounts")).toStrictEqual({
      system: "bank",
      host: "10.0.0.1",
      port: 25520,
      path: "/user/accounts",
    });
  });

  it("parses the local form without host and port", () => {
    expect(parseActorUri("casty://bank/user/accounts")).toStrictEqual({ system: "bank", path: "/user/accounts" });
  });

  it("parses bracketed IPv6 hosts and host names", () => {
    expect(parseActorUri("casty://app@[::1]:2552/user/a")).toMatchObject({ host: "::1", port: 2552 });
    expect(parseActorUri("casty://app@[fe80::1%eth0]:2552/x")).toMatchObject({ host: "fe80::1%eth0" });
    expect(parseActorUri("casty://my-app_2@node-1.example.com:80/a")).toMatchObject({
      system: "my-app_2",
      host: "node-1.example.com",
    });
  });

  it("reads a missing path as the root", () => {
    expect(parseActorUri("casty://bank@h:1").path).toBe("/");
    expect(parseActorUri("casty://bank").path).toBe("/");
  });

  it("keeps the path verbatim", () => {
    expect(parseActorUri("casty://bank@h:1/user/a%20b/$ask-7").path).toBe("/user/a%20b/$ask-7");
  });

  it("formats and round-trips", () => {
    const addresses: ActorAddress[] = [
      { system: "bank", host: "10.0.0.1", port: 25520, path: "/user/accounts" },
      { system: "bank", host: "::1", port: 1, path: "/" },
      { system: "bank", path: "/system/deadLetters" },
    ];
    for (const address of addresses) expect(parseActorUri(formatActorUri(address))).toStrictEqual(address);
    expect(formatActorUri(addresses[1])).toBe("casty://bank@[::1]:1/");
    expect(formatActorUri(addresses[2])).toBe("casty://bank/system/deadLetters");
  });

  it.each([
    ["akka://bank@h:1/user", /must start with "casty:\/\/"/],
    ["casty://@h:1/user", /bad system name ""/],
    ["casty://b a@h:1/user", /bad system name "b a"/],
    ["casty://bank@host/user", /missing :port/],
    ["casty://bank@host:/user", /bad port ""/],
    ["casty://bank@host:abc/user", /bad port "abc"/],
    ["casty://bank@host:0/user", /out of range/],
    ["casty://bank@host:70000/user", /out of range/],
    ["casty://bank@::1:25520/user", /IPv6 host must be in brackets/],
    ["casty://bank@[::1:25520/user", /missing \]/],
    ["casty://bank@[zz]:1/user", /bad IPv6 host "zz"/],
    ["casty://bank@:25520/user", /bad host ""/],
    ["casty://bank@h:1:2/user", /IPv6 host must be in brackets/],
  ])("rejects %s", (uri, reason) => {
    expect(() => parseActorUri(uri)).toThrow(InvalidAddressError);
    expect(() => parseActorUri(uri)).toThrow(reason);
  });

  it("refuses to format incomplete or bad parts", () => {
    expect(() => formatActorUri({ system: "bank", host: "h", path: "/a" })).toThrow(/both host and port, or neither/);
    expect(() => formatActorUri({ system: "bank", path: "user/a" })).toThrow(/must start with "\/"/);
    expect(() => formatActorUri({ system: "-bank", path: "/a" })).toThrow(/bad system name/);
    expect(() => formatActorUri({ system: "bank", host: "a b", port: 1, path: "/a" })).toThrow(/bad host/);
    expect(() => formatActorUri({ system: "bank", host: "h", port: 1.5, path: "/a" })).toThrow(/bad port/);
  });
});

describe("node keys", () => {
  it("formats host:port, bracketing IPv6", () => {
    expect(nodeKey("10.0.0.1", 25520)).toBe("10.0.0.1:25520");
    expect(nodeKey("::1", 25520)).toBe("[::1]:25520");
  });

  it("parses what it formats", () => {
    expect(parseNodeKey("10.0.0.2:25520")).toStrictEqual({ host: "10.0.0.2", port: 25520 });
    expect(parseNodeKey("[::1]:25520")).toStrictEqual({ host: "::1", port: 25520 });
  });

  it("rejects malformed keys", () => {
    expect(() => parseNodeKey("10.0.0.2")).toThrow(/invalid node address "10.0.0.2": missing :port/);
    expect(() => parseNodeKey("::1:25520")).toThrow(/brackets/);
    expect(() => nodeKey("h", 65536)).toThrow(InvalidAddressError);
  });
});

describe("one system-name rule", () => {
  it("an actor URI accepts exactly the names an ActorSystem can have", async () => {
    for (const name of ["bank", "my-app_2", "B9", "a.b", "-bank", "_x", "", "b a", "é"]) {
      let created = true;
      try {
        await new ActorSystem({ name, logLevel: "silent" }).shutdown();
      } catch {
        created = false;
      }
      expect(isValidSystemName(name), name).toBe(created);
      if (created) expect(parseActorUri(`casty://${name}@h:1/user`).system).toBe(name);
      else expect(() => parseActorUri(`casty://${name}@h:1/user`)).toThrow(InvalidAddressError);
    }
  });

  it("node URIs are built and split in one place", () => {
    const uri = nodeUri("bank", nodeKey("::1", 2552)) + "/user/a";
    expect(uri).toBe("casty://bank@[::1]:2552/user/a");
    expect(splitActorUri(uri)).toEqual({ node: "casty://bank@[::1]:2552", path: "/user/a" });
    expect(splitActorUri("casty://bank@h:1")).toEqual({ node: "casty://bank@h:1", path: "/" });
  });
});
