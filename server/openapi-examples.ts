// Examples of the OpenAPI document, in Vietnamese as officers write them; keyed `METHOD path` as the
// route table declares each route. A route without one is still documented (its schema says it all).

export interface Example {
  description?: string;
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  answer?: unknown;
}

const AT = "2026-12-08T08:00:00+07:00";

export const EXAMPLES: Record<string, Example> = {
  "POST /api/users": {
    body: { name: "Nguyễn Thị Lan", role: "officer", agencyId: "so-khcn", email: "lan@cantho.gov.vn" },
  },
  "POST /api/agencies": {
    body: { id: "phuong-ninh-kieu", name: "Phường Ninh Kiều", kind: "commune", parentId: "vp-ubnd", validFrom: "2025-07-01" },
  },
  "POST /api/tokens": { body: { name: "Máy tính bảng phòng truyền thông", expiresIn: "30d" } },
  "POST /api/channels": {
    description: "Kênh có thể khai báo khung giờ đăng hằng tuần `settings.slots` (giờ Asia/Ho_Chi_Minh).",
    body: {
      agencyId: "so-khcn",
      kind: "webhook",
      name: "Cổng thông tin điện tử Sở",
      settings: { url: "https://cms.example.vn/loa", slots: [{ days: ["tue", "thu"], time: "08:00" }] },
      secret: "chia-khoa-dung-chung",
    },
  },
  "GET /api/items": { query: { agencyId: "so-khcn", status: "draft", task: "1.3" } },
  "POST /api/items": {
    body: {
      agencyId: "so-khcn",
      kind: "news",
      title: "Nộp hồ sơ trực tuyến tại Cổng dịch vụ công",
      body: "Từ ngày 1/12, người dân có thể nộp hồ sơ cấp đổi giấy phép lái xe trên dichvucong.gov.vn.",
      tasks: ["1.3"],
      variants: { facebook_page: { body: "Nộp hồ sơ online, không cần đến trụ sở! #DichVuCong" } },
    },
  },
  "POST /api/items/:id/schedule": {
    description: 'Mỗi kênh một thời điểm; `"slot":"next"` chọn khung giờ trống kế tiếp của kênh (`settings.slots`).',
    body: {
      deliveries: [
        { channelId: "c2f1…", at: AT },
        { channelId: "9ab3…", slot: "next" },
      ],
    },
  },
  "PATCH /api/deliveries/:id": { body: { at: AT } },
  "POST /api/items/:id/media": { body: { mediaIds: ["5d0e…"] } },
  "POST /api/compliance/exemptions": {
    body: { period: "2026-W07", reason: "Nghỉ Tết Nguyên đán", task: "1.3", agencyId: "so-khcn" },
  },
  "POST /api/publications": {
    body: { itemId: "7c1a…", channelKind: "loudspeaker", publishedAt: "2026-12-02T06:00:00+07:00", note: "Phát 2 lần trên đài xã" },
  },
  "PUT /api/programmes/:id/rundown": {
    body: { segments: [{ title: "Khách mời trao đổi về dịch vụ công", durationSeconds: 600, guests: ["Ông Nguyễn Văn A"] }] },
  },
  "POST /api/text/read-aloud": {
    body: { text: "Gọi 1900 1234 trước 30/4.", dialect: "south" },
    answer: { text: "Gọi một chín không không, một hai ba bốn trước ngày ba mươi tháng tư." },
  },
  "GET /api/calendar": {
    description: "Lịch tháng hoặc tuần: các lượt đăng (tiêu đề, kênh, trạng thái, thời điểm) và các khung giờ còn trống.",
    query: { from: "2026-12-01T00:00:00+07:00", to: "2027-01-01T00:00:00+07:00", agencyId: "so-khcn" },
    answer: {
      from: "2026-11-30T17:00:00.000Z",
      to: "2026-12-31T17:00:00.000Z",
      deliveries: [
        {
          id: "d1…",
          itemId: "7c1a…",
          title: "Nộp hồ sơ trực tuyến tại Cổng dịch vụ công",
          itemKind: "news",
          agencyId: "so-khcn",
          channelId: "c2f1…",
          channelKind: "webhook",
          channelName: "Cổng thông tin điện tử Sở",
          status: "scheduled",
          at: "2026-12-08T01:00:00.000Z",
          publishedAt: null,
          url: null,
        },
      ],
      freeSlots: [
        {
          channelId: "c2f1…",
          channelKind: "webhook",
          channelName: "Cổng thông tin điện tử Sở",
          agencyId: "so-khcn",
          at: "2026-12-10T01:00:00.000Z",
        },
      ],
    },
  },
  "POST /api/items/:id/recurrences": {
    description: "Đăng lại hằng tuần hoặc hằng tháng (giờ Asia/Ho_Chi_Minh), đến một ngày (`until`) hoặc một số lần (`count`).",
    body: { channelId: "c2f1…", at: "2026-12-27T23:30:00+07:00", every: "week", count: 8 },
  },
  "POST /api/calendar/feeds": {
    body: { agencyId: "so-khcn", name: "Lịch đăng bài của tổ biên tập" },
    answer: { id: "f1…", agencyId: "so-khcn", name: "Lịch đăng bài của tổ biên tập", url: "https://loa.cantho.gov.vn/ical/loacal_….ics" },
  },
};
