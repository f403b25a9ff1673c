/**
 * The built-in formulas, embedded in the binary as text. Text imports work
 * under `deno run`/`deno test` and in `bun build --compile`; the e2e test
 * tests/e2e/formula_binary_test.ts proves the compiled binary carries them.
 */
import dev from "../../formulas/dev.toml" with { type: "text" };
import reviewPr from "../../formulas/review-pr.toml" with { type: "text" };
import release from "../../formulas/release.toml" with { type: "text" };

/** The built-in formula texts, by name (the file name without `.toml`). */
export const BUILTIN_FORMULAS: readonly { name: string; file: string; text: string }[] = [
  { name: "dev", file: "built-in:dev.toml", text: dev },
  { name: "release", file: "built-in:release.toml", text: release },
  { name: "review-pr", file: "built-in:review-pr.toml", text: reviewPr },
];
