import crypto from "node:crypto";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENCY } from "../helpers/fixtures.js";
import { startHub, type TestHub } from "../helpers/hub.js";
import { noWorkFilesLeft, processed, storedFiles, upload } from "../helpers/media.js";

const QUOTA = 3 * 1024 * 1024;

/** A PNG of random pixels: it does not compress, so its size is about width × height × 3 bytes. */
const noisePng = (width: number, height: number) =>
  sharp(crypto.randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();

describe("media quota per agency (MEDIA_QUOTA_PER_AGENCY)", () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startHub("sqlite", { roles: ["web", "worker"], env: { MEDIA_QUOTA_PER_AGENCY: "3MB" } });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it("refuses an upload beyond the agency's quota with 413 naming file, the quota and the use, and removes the partial file", async () => {
    const first = await upload(hub, { name: "anh-nho.png", data: await noisePng(120, 90) });
    expect(first.status).toBe(202);
    const ready = await processed(hub, first.body.id);
    expect(ready.status).toBe("ready");
    // What the agency stores: the original and every variant derived from it.
    const used = ready.bytes + ready.variants.reduce((n: number, v: { bytes: number }) => n + v.bytes, 0);
    expect(used).toBeGreaterThan(ready.bytes);
    const before = storedFiles(hub);

    const big = await noisePng(1000, 1000);
    expect(big.length).toBeGreaterThan(QUOTA - used);
    const refused = await upload(hub, { name: "anh-lon.png", data: big });
    expect(refused.status).toBe(413);
    expect(refused.body).toMatchObject({ code: "payload_too_large", field: "file", quota: QUOTA, used });
    expect(refused.body.message).toContain("quota is 3 MB");
    await noWorkFilesLeft(hub);
    expect(storedFiles(hub)).toEqual(before);
    expect((await hub.api("GET", `/api/media?agencyId=${AGENCY}`)).body.data.map((m: { id: string }) => m.id)).toEqual([first.body.id]);

    // What still fits is accepted; another agency has its own quota.
    expect((await upload(hub, { name: "anh-vua.png", data: await noisePng(300, 300) })).status).toBe(202);
    expect((await upload(hub, { name: "anh-lon.png", data: big }, "so-y-te")).status).toBe(202);
  });
});
