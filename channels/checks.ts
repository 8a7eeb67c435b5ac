import type { Problem } from "../content/ports/adapter.js";

/** The title problems every provider shares: none at all, or longer (in characters) than it takes. */
export function titleProblems(title: string, provider: string, max = Number.POSITIVE_INFINITY): Problem[] {
  const trimmed = title.trim();
  if (!trimmed) return [{ field: "title", vi: "Tin bài chưa có tiêu đề", en: "the item has no title" }];
  if ([...trimmed].length <= max) return [];
  return [
    {
      field: "title",
      vi: `Tiêu đề dài hơn ${max} ký tự mà ${provider} cho phép`,
      en: `the title is longer than ${provider}'s ${max} characters`,
    },
  ];
}
