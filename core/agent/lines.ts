/**
 * Read a byte stream as text lines ("\n"-terminated; a last line without one
 * is still delivered). A child's output arrives in arbitrary chunks, so a line
 * is handed on only once it is complete: redaction and JSON parsing then see
 * whole lines, never a secret or an object split across two chunks.
 */
export async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  let pending = "";
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  // Abandon the stream (e.g. a process outside our group still holds the pipe).
  const abandon = () => void reader.cancel().catch(() => {});
  signal?.addEventListener("abort", abandon, { once: true });
  try {
    if (signal?.aborted) abandon();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      pending += value;
      let end: number;
      while ((end = pending.indexOf("\n")) >= 0) {
        onLine(pending.slice(0, end).replace(/\r$/, ""));
        pending = pending.slice(end + 1);
      }
    }
    if (pending !== "") onLine(pending);
  } catch (error) {
    abandon();
    throw error;
  } finally {
    signal?.removeEventListener("abort", abandon);
    reader.releaseLock();
  }
}
