import { FacebookStub, graphError } from "../stubs/facebook.stub.js";
import type { ContractCase, Failure } from "./contract.js";
import { filesOf, imageMedia } from "./media.fixture.js";

const usage = (minutes: number) => ({
  "x-business-use-case-usage": JSON.stringify({
    "104857600012345": [{ type: "pages", call_count: 100, total_cputime: 12, total_time: 30, estimated_time_to_regain_access: minutes }],
  }),
});
const messages = {
  expired_token: "Error validating access token: Session has expired on Tuesday, 01-Dec-26 01:00:00 PST.",
  rate_limited: "(#32) Page request limit reached",
  server_error: "Service temporarily unavailable",
  rejected: "(#506) Duplicate status message",
} as const;
const replies = {
  expired_token: graphError(400, 190, messages.expired_token, { error_subcode: 463 }),
  rate_limited: { ...graphError(400, 32, messages.rate_limited), headers: usage(2) },
  server_error: graphError(503, 2, messages.server_error, { is_transient: true }),
  rejected: graphError(400, 506, messages.rejected, { error_subcode: 1455006 }),
  hang: { hang: true },
} as const;

const infographic = imageMedia("media-fb-1");

/** An infographic on a Facebook Page: a multipart photo upload with the caption. */
export const facebookCase: ContractCase = {
  kind: "facebook_page",
  itemKind: "infographic",
  failures: ["expired_token", "rate_limited", "server_error", "rejected", "hang"],
  messages,
  lookup: true,
  request: { media: [infographic] },
  files: filesOf(infographic),
  async start() {
    const stub = await new FacebookStub().start();
    return {
      origin: stub.url,
      providers: { facebook: stub.url },
      settings: { pageId: stub.pageId, graphVersion: stub.version },
      secret: stub.pageToken,
      fail: (f: Failure) => void stub.script(replies[f]),
      created: () => [...stub.published],
      stop: () => stub.stop(),
    };
  },
};
