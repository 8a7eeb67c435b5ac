import { Readable } from "node:stream";
import type { ChannelKind, ItemKind } from "../../content/model.js";
import type { AdapterContext, ChannelAdapter, PublishRequest } from "../../content/ports/adapter.js";
import { type StubOrigins, stubRegistry } from "../helpers/endpoints.js";

/** Failures every provider can produce, each in its own real error shape. */
export type Failure = "expired_token" | "rate_limited" | "server_error" | "rejected" | "hang";

/** A provider's stub, started for one contract run. */
export interface ContractStub {
  /** The stub's origin: the only local address the adapter's outbound client may reach. */
  origin: string;
  /** For providers whose endpoints are configuration: the stub that serves them. */
  providers?: StubOrigins;
  /** The channel settings and secret of an account on this stub. */
  settings: Record<string, unknown>;
  secret: string | undefined;
  /** The next publishing call fails the provider's way. */
  fail(failure: Failure): void;
  /** What the stub created, in order: the provider's ids. */
  created(): string[];
  stop(): Promise<void>;
}

/** One adapter under the shared contract. */
export interface ContractCase {
  kind: ChannelKind;
  /** The item kind the adapter is exercised with, and the media files its requests carry. */
  itemKind: ItemKind;
  failures: Failure[];
  /** The provider's own text in each failure's answer (but a hang's): Loa's error must carry it. */
  messages: { [F in Exclude<Failure, "hang">]?: string };
  /** Whether the adapter offers `lookup`, to find what a call whose answer was lost created. */
  lookup: boolean;
  start(): Promise<ContractStub>;
  /** Extra request fields (media) the case needs; media keys are read through `files`. */
  request?: Partial<PublishRequest>;
  files?: Record<string, Buffer>;
}

export function request(c: ContractCase, deliveryId: string): PublishRequest {
  return {
    deliveryId,
    scheduledAt: new Date("2026-12-01T01:00:00Z"),
    agency: { id: "so-khcn", name: "Sở Khoa học và Công nghệ" },
    channel: { id: "channel-1", name: "Kênh thử" },
    item: {
      id: "item-1",
      kind: c.itemKind,
      title: "Nộp hồ sơ trực tuyến tại nhà",
      body: "Người dân có thể nộp hồ sơ trực tuyến.",
      tasks: ["1.3"],
    },
    text: {
      title: "Nộp hồ sơ trực tuyến tại nhà",
      body: "Nộp hồ sơ trực tuyến tại nhà\n\nNgười dân có thể nộp hồ sơ trực tuyến.\n\n#DichVuCongTrucTuyen",
      html: "<p>Người dân có thể nộp hồ sơ trực tuyến.</p>",
      summary: "Người dân có thể nộp hồ sơ trực tuyến.",
      hashtags: ["#DichVuCongTrucTuyen"],
    },
    ...c.request,
  };
}

/** Builds the adapter through the registry, as the publisher does, with an in-memory media reader. */
export function adapterFor(c: ContractCase, stub: ContractStub, saved: string[] = []): ChannelAdapter {
  const ctx: Omit<AdapterContext, "http" | "endpoints"> = {
    async readMedia(key) {
      const file = c.files?.[key];
      if (!file) throw Object.assign(new Error(`no media ${key}`), { code: "ENOENT" });
      return { stream: Readable.from(file), bytes: file.length };
    },
    async saveSecret(secret) {
      saved.push(secret);
    },
    now: () => new Date(),
  };
  return stubRegistry(stub.providers ?? {}, [stub.origin]).build(c.kind, stub.settings, stub.secret, ctx).adapter;
}
