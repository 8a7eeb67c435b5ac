import { defineConfig } from "vitest/config";

// `npm run test:faults`: the fault suite at full size (60 s outages, 1,000 deliveries), one file at a
// time so that recovery times are not another fault's noise. `npm test` runs the same files fast.
export default defineConfig({
  test: {
    include: ["test/faults/**/*.test.ts"],
    env: { LOA_FAULTS: "full" },
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
  },
});
