/**
 * An http(s) URL given as a setting or flag (a forge, a model server, the
 * chat's public address): parsed once here, a bad one being bad input that
 * names where it came from.
 */
import { BadInputError } from "../errors.ts";

const EXPECTED = "expected http(s)://host[:port]";

export function parseHttpUrl(input: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new BadInputError(`${source}: "${input}" is not a URL; ${EXPECTED}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new BadInputError(`${source}: "${input}" is not http(s); ${EXPECTED}`);
  }
  return url;
}
