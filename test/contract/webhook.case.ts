import { WebhookStub } from "../stubs/webhook.stub.js";
import type { ContractCase, Failure } from "./contract.js";

const messages = {
  rate_limited: "too many requests",
  server_error: "bad gateway",
  rejected: "Chuyên mục không tồn tại",
} as const;
const replies = {
  rate_limited: { status: 429, body: { message: messages.rate_limited }, headers: { "retry-after": "7" } },
  server_error: { status: 502, body: { message: messages.server_error } },
  rejected: { status: 422, body: { message: messages.rejected } },
  hang: { hang: true },
} as const;

export const webhookCase: ContractCase = {
  kind: "webhook",
  itemKind: "news",
  failures: ["rate_limited", "server_error", "rejected", "hang"],
  messages,
  // A webhook CMS has no way to ask what a lost call created.
  lookup: false,
  async start() {
    const stub = await new WebhookStub("contract-secret-123").start();
    return {
      origin: stub.url,
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
