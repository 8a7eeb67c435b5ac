// An unconfirmed delivery on a channel that can look up its posts (WordPress): the post was created
// but its answer never came. Once UNCONFIRMED_SETTLE has passed, the clock finds it by the delivery's
// mark and records it published, without posting again and without anyone pressing retry.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliveryMark } from "../../channels/wordpress.adapter.js";
import { AGENCY, newsItem, schedule, settled } from "../helpers/fixtures.js";
import { eventually, startHub, type TestHub } from "../helpers/hub.js";
import { WordpressStub } from "../stubs/wordpress.stub.js";
import { TEST_MS, WAIT_MS } from "./harness.js";

describe("resolving an unconfirmed delivery by lookup", () => {
  let hub: TestHub;
  let wp: WordpressStub;
  let portal: string;

  beforeAll(async () => {
    wp = await new WordpressStub().start();
    hub = await startHub("postgres", { allow: [wp.url], env: { UNCONFIRMED_SETTLE: "1s", CLAIM_LEASE: "2s" } });
    const res = await hub.api("POST", "/api/channels", {
      agencyId: AGENCY,
      kind: "wordpress",
      name: "Cổng TTĐT",
      settings: { siteUrl: wp.url },
      secret: wp.secret,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    portal = res.body.id;
  });
  afterAll(async () => {
    await hub?.stop();
    await wp?.stop();
  });

  it(
    "finds the post whose answer was lost and records it published, posted once",
    async () => {
      wp.script({ hang: true }); // the post is created, the answer never comes
      const id = await schedule(hub.api, await newsItem(hub.api), portal, 500);
      const before = await settled(hub.api, id, ["unconfirmed", "published", "failed"], WAIT_MS);
      expect(before.status).toBe("unconfirmed");
      const d = await settled(hub.api, id, ["published"], WAIT_MS);
      const posts = wp.posts.filter((p) => p.content.includes(deliveryMark(id)));
      expect(posts).toHaveLength(1);
      expect(d.externalId).toBe(String(posts[0]?.id));
      // Counted for compliance like any publication (recorded right after the status).
      await eventually(
        () => hub.running.runtime.database.db.selectFrom("publications").select("id").where("delivery_id", "=", id).executeTakeFirst(),
        WAIT_MS,
        "the publication to be recorded",
      );
    },
    TEST_MS,
  );
});
