/**
 * One piece of work at a time per key (a user): each call waits for the
 * previous one of the same key to settle, whether it succeeded or not.
 */
export class KeyedSerial {
  readonly #queue = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#queue.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => {});
    this.#queue.set(key, settled);
    void settled.then(() => {
      if (this.#queue.get(key) === settled) this.#queue.delete(key);
    });
    return next;
  }
}
