import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "{start,content,channels,templates,server,workers}/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Two cores: a few files at a time, each with its own database schema and queue prefix.
    maxWorkers: 3,
  },
});
