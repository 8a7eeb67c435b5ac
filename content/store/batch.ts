/**
 * Group commit: calls that arrive while a batch is being written wait and go together as the next batch,
 * so a burst of concurrent publications costs a few statements per batch rather than a few per
 * delivery, and a lone call waits for nothing (it goes at once). `run` answers one output per input, in
 * order; when it throws, every call of that batch is rejected with its error.
 *
 * DataLoader batches the calls of one tick; here a batch gathers everything that arrived while the
 * previous one was on the wire, which is what fills batches when jobs arrive one by one from a queue.
 */
export function groupCommit<I, O>(run: (inputs: I[]) => Promise<O[]>, max = 200): (input: I) => Promise<O> {
  let waiting: { input: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  let busy = false;

  async function drain(): Promise<void> {
    busy = true;
    while (waiting.length) {
      const batch = waiting.slice(0, max);
      waiting = waiting.slice(batch.length);
      try {
        const out = await run(batch.map((w) => w.input));
        for (const [i, w] of batch.entries()) w.resolve(out[i] as O);
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    busy = false;
  }

  return (input: I) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ input, resolve, reject });
      // The calls made while the event loop handles this round of I/O join the first batch (SQLite
      // answers synchronously: nothing else would ever be waiting); later ones the next.
      if (!busy) {
        busy = true;
        setImmediate(() => void drain());
      }
    });
}
