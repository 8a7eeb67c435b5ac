import { WordpressStub } from "../stubs/wordpress.stub.js";
import type { ContractCase, Failure } from "./contract.js";
import { filesOf, imageMedia } from "./media.fixture.js";

const wp = (code: string, message: string, status: number) => ({ status, body: { code, message, data: { status } } });
const replies = {
  expired_token: wp("incorrect_password", "The provided password is an invalid application password.", 401),
  rate_limited: { ...wp("too_many_requests", "Too many requests from this IP, slow down.", 429), headers: { "retry-after": "30" } },
  server_error: wp("db_connect_fail", "Error establishing a database connection", 500),
  rejected: wp("rest_cannot_create", "Xin lỗi, bạn không được phép tạo bài viết với tư cách người dùng này.", 403),
  hang: { hang: true },
} as const;

const infographic = imageMedia("media-wp-1");

/** An infographic on a WordPress portal: featured image upload, then the post. */
export const wordpressCase: ContractCase = {
  kind: "wordpress",
  itemKind: "infographic",
  failures: ["expired_token", "rate_limited", "server_error", "rejected", "hang"],
  request: { media: [infographic] },
  files: filesOf(infographic),
  async start() {
    const stub = await new WordpressStub().start();
    return {
      settings: { siteUrl: stub.url, categories: ["Chuyển đổi số"], tags: ["Dịch vụ công"] },
      secret: stub.secret,
      fail: (f: Failure) => void stub.script(replies[f]),
      created: () => stub.posts.map((p) => String(p.id)),
      stop: () => stub.stop(),
    };
  },
};
