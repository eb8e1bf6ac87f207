/** Files the office pages hand to the browser's downloads: from a response, or made on the page. */
import { el } from './dom.js';

/** Hands a file to the browser's downloads. */
function saveFile(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  // the download may start after this task: revoke the URL later
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The file name a download response suggests (RFC 5987 `filename*` first), else the fallback. */
export function filenameOf(res: Response, fallback: string): string {
  const header = res.headers.get('content-disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) return decodeURIComponent(star[1]);
  return /filename="([^"]+)"/.exec(header)?.[1] ?? fallback;
}

/** Saves a download response under the name it suggests. */
export async function saveResponse(res: Response, fallback: string) {
  saveFile(await res.blob(), filenameOf(res, fallback));
}
