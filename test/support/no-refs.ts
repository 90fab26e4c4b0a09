import type { RefCodec } from "../../src/serialization/index.js";

/** A ref codec for tests whose messages hold no refs: resolving one is a failure of the test. */
export const noRefs: RefCodec = {
  addressOf: () => "",
  resolve: () => {
    throw new Error("the test's messages hold no refs");
  },
};
