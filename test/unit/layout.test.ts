// The house rules of the layout (README, "Layout"), checked on the import graph of the sources.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cycles, edges, packageImports, ROOT, sourceFiles, topOf } from "../helpers/imports.js";

const all = edges();

describe("the layout", () => {
  it("keeps at most 10 files at the root of content/: what every capability shares", () => {
    const root = fs.readdirSync(path.join(ROOT, "content")).filter((f) => f.endsWith(".ts"));
    expect(root.length).toBeLessThanOrEqual(10);
  });

  it("has content/ reach channels, workers, server and start only through content/ports", () => {
    const outward = all.filter(
      (e) => topOf(e.from) === "content" && ["channels", "workers", "server", "start", "templates"].includes(topOf(e.to)),
    );
    expect(outward.map((e) => `${e.from} → ${e.to}`)).toEqual([]);
  });

  it("keeps express, BullMQ, Redis, sharp and ffmpeg out of content/", () => {
    const banned = [
      "express",
      "bullmq",
      "ioredis",
      "sharp",
      "fluent-ffmpeg",
      "@ffmpeg-installer/ffmpeg",
      "node:child_process",
      "child_process",
    ];
    const found = [...packageImports().entries()]
      .filter(([file]) => topOf(file) === "content")
      .flatMap(([file, pkgs]) => pkgs.filter((p) => banned.includes(p)).map((p) => `${file} imports ${p}`));
    expect(found).toEqual([]);
  });

  it("has workers/ import nothing from server/, and server/ nothing from workers/", () => {
    const crossing = all.filter(
      (e) => (topOf(e.from) === "workers" && topOf(e.to) === "server") || (topOf(e.from) === "server" && topOf(e.to) === "workers"),
    );
    expect(crossing.map((e) => `${e.from} → ${e.to}`)).toEqual([]);
  });

  it("has no import loop, counting type-only imports too", () => {
    expect(cycles(all)).toEqual([]);
  });

  it("reads process.env only in the entry points under start/", () => {
    const readers = sourceFiles().filter((f) => topOf(f) !== "start" && /process\.env\b/.test(fs.readFileSync(path.join(ROOT, f), "utf8")));
    expect(readers).toEqual([]);
  });
});
