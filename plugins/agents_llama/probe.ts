/** Is the model server up? `<url>/health`, then `<url>/v1/models`; a short timeout each. */

export interface ProbeResult {
  up: boolean;
  /** What answered, or why nothing did. */
  detail: string;
}

export async function probeModelServer(
  fetcher: typeof fetch,
  baseUrl: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ProbeResult> {
  const base = baseUrl.replace(/\/+$/, "");
  const reasons: string[] = [];
  for (const path of ["/health", "/v1/models"]) {
    const signals = [AbortSignal.timeout(options.timeoutMs ?? 3000)];
    if (options.signal) signals.push(options.signal);
    try {
      const response = await fetcher(base + path, { signal: AbortSignal.any(signals) });
      await response.body?.cancel();
      if (response.ok) return { up: true, detail: `${path} answered ${response.status}` };
      reasons.push(`${path} answered ${response.status}`);
    } catch (error) {
      const name = error instanceof Error ? error.name : "error";
      reasons.push(`${path}: ${name === "TimeoutError" ? "timed out" : "unreachable"}`);
    }
  }
  return { up: false, detail: reasons.join(", ") };
}
