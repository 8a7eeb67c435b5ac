import { ApiError, csrfToken } from "./api.js";

/**
 * Uploads a file to `POST /api/media` (multipart: `agencyId` first, then the file) with the session
 * cookie, reporting the bytes sent (fetch cannot report upload progress; XMLHttpRequest can).
 */
export function uploadMedia<T>(agencyId: string, file: File, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/media");
    const token = csrfToken();
    if (token) xhr.setRequestHeader("x-csrf-token", token);
    xhr.setRequestHeader("accept", "application/json");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, "network", "network", undefined, undefined));
    xhr.onload = () => {
      let json: { code?: string; message?: string; field?: string } = {};
      try {
        json = JSON.parse(xhr.responseText) as typeof json;
      } catch {
        // not JSON: reported below by status
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(json as T);
      else reject(new ApiError(xhr.status, json.code ?? "unknown", json.message ?? xhr.statusText, json.field ?? "file", undefined));
    };
    const form = new FormData();
    form.append("agencyId", agencyId);
    form.append("file", file, file.name);
    xhr.send(form);
  });
}
