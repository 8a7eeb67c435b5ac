import { WordpressStub } from "../stubs/wordpress.stub.js";
import type { ContractCase, Failure } from "./contract.js";
import { filesOf, imageMedia } from "./media.fixture.js";

const wp = (code: string, message: string, status: number) => ({ status, body: { code, message, data: { status } } });
const messages = {
  expired_token: "The provided password is an invalid application password.",
  rate_limited: "Too many requests from this IP, slow down.",
  server_error: "Error establishing a database connection",
  rejected: "Xin lỗi, bạn không được phép tạo bài viết với tư cách người dùng này.",
} as const;
const replies = {
  expired_token: wp("incorrect_password", messages.expired_token, 401),
  rate_limited: { ...wp("too_many_requests", messages.rate_limited, 429), headers: { "retry-after": "30" } },
  server_error: wp("db_connect_fail", messages.server_error, 500),
  rejected: wp("rest_cannot_create", messages.rejected, 403),
  hang: { hang: true },
} as const;

const infographic = imageMedia("media-wp-1");

/** An infographic on a WordPress portal: featured image upload, then the post. */
export const wordpressCase: ContractCase = {
  kind: "wordpress",
  itemKind: "infographic",
  failures: ["expired_token", "rate_limited", "server_error", "rejected", "hang"],
  messages,
  lookup: true,
  request: { media: [infographic] },
  files: filesOf(infographic),
  async start() {
    const stub = await new WordpressStub().start();
    return {
      origin: stub.url,
      settings: { siteUrl: stub.url, categories: ["Chuyển đổi số"], tags: ["Dịch vụ công"] },
      secret: stub.secret,
      fail: (f: Failure) => void stub.script(replies[f]),
      created: () => stub.posts.map((p) => String(p.id)),
      stop: () => stub.stop(),
    };
  },
};
