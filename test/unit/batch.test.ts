// Group commit (content/store/batch.ts): the publisher's reads and writes of concurrent deliveries go together.
import { describe, expect, it } from "vitest";
import { groupCommit } from "../../content/store/batch.js";

describe("groupCommit", () => {
  it("sends a lone call at once, and gathers the calls that arrive while a batch is written", async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const write = groupCommit(async (inputs: number[]) => {
      batches.push(inputs);
      if (batches.length === 1) await new Promise<void>((r) => (release = r));
      return inputs.map((i) => i * 10);
    });
    const first = write(1);
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[1]]);
    const later = [write(2), write(3), write(4)];
    release();
    expect(await first).toBe(10);
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it("rejects every call of a failed batch with its error, and goes on with the next", async () => {
    let calls = 0;
    const write = groupCommit(async (inputs: string[]) => {
      calls++;
      if (calls === 1) throw new Error("database down");
      return inputs.map((s) => s.toUpperCase());
    });
    const failed = [write("a"), write("b")];
    await expect(Promise.all(failed)).rejects.toThrow("database down");
    await Promise.allSettled(failed);
    expect(await write("c")).toBe("C");
  });

  it("keeps batches within their maximum size", async () => {
    const sizes: number[] = [];
    const write = groupCommit(async (inputs: number[]) => {
      sizes.push(inputs.length);
      return inputs;
    }, 3);
    expect(await Promise.all([1, 2, 3, 4, 5, 6, 7].map(write))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(sizes).toEqual([3, 3, 1]);
  });
});
