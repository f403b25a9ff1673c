/**
 * A prompt too long for one command-line argument. Linux refuses an argv
 * string over 128 KiB (MAX_ARG_STRLEN: the spawn fails with E2BIG), and a
 * rendered formula with its context files inlined can be that long. Such a
 * prompt is written to a file (0600, beside the run logs, removed after the
 * run) and the CLI gets a short prompt that sends it there; stdin stays
 * closed, as every agent run's does.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Prompts above this many bytes go through a file (well under 128 KiB). */
export const ARGV_PROMPT_LIMIT = 96 * 1024;

export interface PromptHandoff {
  /** What to pass to `-p`. */
  prompt: string;
  /** Removes the file, if one was written. */
  dispose(): Promise<void>;
}

export async function handOffPrompt(
  prompt: string,
  dir: string,
  name: string,
): Promise<PromptHandoff> {
  if (new TextEncoder().encode(prompt).length <= ARGV_PROMPT_LIMIT) {
    return { prompt, dispose: async () => {} };
  }
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${name}.prompt.md`);
  await writeFile(file, prompt, { mode: 0o600 });
  return {
    prompt: `Your instructions are too long for the command line; they are in the file ${file}. ` +
      "Read the whole file first, then follow it exactly as if it were this prompt.",
    dispose: () => rm(file, { force: true }),
  };
}
