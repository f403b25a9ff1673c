/**
 * Write a file so that readers see the old content or the new, never a part:
 * write a temp file beside it, flush it to disk, then rename over the target.
 */
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface AtomicWriteOptions {
  /** File mode of the new file, e.g. 0o600 for secrets. Default 0o644. */
  mode?: number;
}

export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const mode = options.mode ?? 0o644;
  const suffix = `${crypto.randomUUID().slice(0, 13)}.tmp`;
  const temp = join(dirname(path), `.${basename(path)}.${suffix}`);
  const handle = await open(temp, "wx", mode);
  try {
    await handle.writeFile(data);
    // The mode given to open() is filtered by the umask; set it exactly.
    await handle.chmod(mode);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
