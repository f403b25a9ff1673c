/**
 * The release version (SPEC §10): `vMAJOR.MINOR.PATCH`, digits only.
 * Pre-releases (`v1.2.3-rc1`) are not supported: a tag name is pushed to
 * mirrors as is, and we keep one rule everyone can read.
 */
import { BadInputError } from "../../core/errors.ts";

export const VERSION_PATTERN = /^v\d+\.\d+\.\d+$/;

/** The version as given, or a bad-input error naming it and the expected form. */
export function parseVersion(input: string | undefined): string {
  const value = input ?? "";
  if (!VERSION_PATTERN.test(value)) {
    throw new BadInputError(
      `version ${JSON.stringify(value)}: expected vMAJOR.MINOR.PATCH, e.g. v1.2.3`,
    );
  }
  return value;
}
