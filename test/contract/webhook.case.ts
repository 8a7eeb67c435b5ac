import { WebhookStub } from "../stubs/webhook.stub.js";
import type { ContractCase, Failure } from "./contract.js";

const replies = {
  rate_limited: { status: 429, body: { message: "too many requests" }, headers: { "retry-after": "7" } },
  server_error: { status: 502, body: { message: "bad gateway" } },
  rejected: { status: 422, body: { message: "Chuyên mục không tồn tại" } },
  hang: { hang: true },
} as const;

export const webhookCase: ContractCase = {
  kind: "webhook",
  itemKind: "news",
  failures: ["rate_limited", "server_error", "rejected", "hang"],
  async start() {
    const stub = await new WebhookStub("contract-secret-123").start();
    return {
      settings: { url: stub.url },
      secret: stub.secret,
      fail: (f: Failure) => {
        if (f === "expired_token") throw new Error("a webhook has no token to expire");
        stub.script(replies[f]);
      },
      created: () => stub.posts.map((_, i) => `post-${i + 1}`),
      stop: () => stub.stop(),
    };
  },
};
