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
  "PATCH /api/users/:id": { body: { active: false } },
  "PATCH /api/agencies/:id": { body: { validTo: "2025-06-30" } },
  "PUT /api/agencies/:id/logo": { body: { mediaId: "5d0e…" } },
  "POST /api/obligations": {
    body: {
      taskCode: "3.1",
      description: "Tổ chức truyền thông hưởng ứng Ngày Chuyển đổi số quốc gia",
      agencyKinds: ["department", "commune"],
      period: "year",
      minCount: 1,
      validFrom: "2026-01-01",
    },
  },
  "PATCH /api/obligations/:task": { body: { minCount: 2 } },
  "PUT /api/items/:id/broadcast": { body: { priority: "khan_cap" } },
  "POST /api/broadcast/stations/:id/weeks/:week/aired": {
    body: { items: [{ itemId: "7c1a…", airedAt: "2026-12-02T06:05:00+07:00" }] },
  },
  "GET /api/campaigns": { query: { limit: "20", offset: "0" } },
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
  "GET /api/library": { query: { q: "dich vu cong", topic: "Chuyển đổi số" } },
  "POST /api/library": {
    body: {
      itemId: "7c1a…",
      topics: ["Chuyển đổi số", "Dịch vụ công"],
      summary: "Bộ tài liệu hướng dẫn dùng chung cho các xã, phường",
      validFrom: "2026-10-01",
      validTo: "2026-12-31",
    },
  },
  "POST /api/library/:id/copy": { body: { agencyId: "phuong-ninh-kieu" } },
  "POST /api/items/import": {
    description:
      "Thân yêu cầu là tệp CSV (`text/csv`) hoặc XLSX. Cột: kind, title, body, tasks, channels (tên hoặc mã kênh, cách nhau bằng `;`), at (`2026-12-08 08:00` giờ Việt Nam; để trống: khung giờ trống kế tiếp).",
    query: { agencyId: "so-khcn" },
  },
  "GET /api/export": {
    query: { agencyId: "so-khcn", from: "2026-12-01T00:00:00+07:00", to: "2027-01-01T00:00:00+07:00", what: "schedule", format: "xlsx" },
  },
  "POST /api/events": {
    body: {
      name: "Ngày Chuyển đổi số quốc gia 10/10",
      startsOn: "2026-10-01",
      endsOn: "2026-10-10",
      targets: [
        { label: "Mỗi xã, phường ít nhất một tin trên loa", agencyKinds: ["commune"], channelKinds: ["loudspeaker"], minCount: 1 },
        { label: "Mỗi sở một bài trên cổng", agencyKinds: ["department"], channelKinds: ["webhook", "wordpress"], minCount: 1 },
      ],
    },
  },
  "POST /api/events/:id/items": { body: { itemId: "7c1a…" } },
  "POST /api/calendar/feeds": {
    body: { agencyId: "so-khcn", name: "Lịch đăng bài của tổ biên tập" },
    answer: { id: "f1…", agencyId: "so-khcn", name: "Lịch đăng bài của tổ biên tập", url: "https://loa.cantho.gov.vn/ical/loacal_….ics" },
  },
  "POST /api/session": {
    description: "Đăng nhập vào ứng dụng web bằng tên đăng nhập và mật khẩu; trả về cookie phiên và mã CSRF.",
    body: { login: "lan.nguyen", password: "mat-khau-that-dai-va-kho-doan" },
  },
  "POST /api/me/password": { body: { currentPassword: "mat-khau-cu-that-dai", newPassword: "mat-khau-moi-that-dai-va-kho-doan" } },
  "PUT /api/users/:id/password": { body: { login: "lan.nguyen", password: "mat-khau-tam-thoi-rat-dai" } },
  "PATCH /api/items/:id": {
    description: "Sửa tin: các lần đăng đã lên lịch được kiểm tra lại; tin đã duyệt phải trình duyệt lại.",
    body: { title: "Nộp hồ sơ cấp đổi giấy phép lái xe trực tuyến", tasks: ["1.3"] },
  },
  "POST /api/schedule": {
    body: {
      items: [
        { itemId: "2b1f…", deliveries: [{ channelId: "c1…", at: AT }] },
        { itemId: "7a9c…", deliveries: [{ channelId: "c1…", slot: "next" }] },
      ],
    },
  },
  "POST /api/items/:id/submit": { body: { comment: "Kính trình lãnh đạo duyệt tin tuần 50." } },
  "POST /api/items/:id/approve": { body: { comment: "Đồng ý đăng." } },
  "POST /api/items/:id/return": { body: { comment: "Bổ sung đường dẫn dichvucong.gov.vn và số đường dây nóng." } },
  "POST /api/items/:id/comments": { body: { body: "@lan.nguyen nhờ em kiểm tra lại ảnh minh hoạ." } },
  "POST /api/webhooks": {
    body: { url: "https://cong.cantho.gov.vn/loa-su-kien", events: ["delivery.failed", "item.approved"], agencyId: "so-khcn" },
  },
  "PATCH /api/webhooks/:id": { body: { paused: true } },
  "POST /api/sms/preview": {
    body: { text: "Nộp hồ sơ trực tuyến tại dichvucong.gov.vn, không cần đến trụ sở.", unaccent: true },
    answer: { text: "Nop ho so truc tuyen tai dichvucong.gov.vn, khong can den tru so.", encoding: "GSM-7", segments: 1, units: 66 },
  },
  "POST /api/sms/phones": { body: { phones: ["0912 345 678", "01621234567", "0292 3820 123"] } },
  "POST /api/sms/opt-outs": { body: { phones: ["0903123456"] } },
};
