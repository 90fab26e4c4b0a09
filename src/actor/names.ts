import { InvalidActorNameError } from "./errors.js";

// Characters safe inside a path segment of a URI; `$` starts generated names only.
const validName = /^[A-Za-z0-9_\-.~+=:@%!*,;'()]+$/;

export function validateActorName(name: string): string {
  if (typeof name !== "string" || name.length === 0) throw new InvalidActorNameError("actor name must be a non-empty string");
  if (!validName.test(name)) {
    throw new InvalidActorNameError(`invalid actor name "${name}": use letters, digits and - _ . ~ + = : @ % ! * , ; ' ( ) (no "/", no leading "$")`);
  }
  return name;
}
