// A CSV file dropped on the Watchlists screen: the page reads its text and
// hands it to the same check in Rust as a picked file (never a path).

/** The service's limit on a watchlist CSV (20 MB). */
export const MAX_CSV_BYTES = 20 * 1024 * 1024;

/**
 * The dropped file's text: UTF-8 when it is, else read as Windows-1252
 * (which the check turns back into the file's bytes, and then offers to
 * read so). One byte past the limit is read at most: enough for the check
 * to say the file is too large without loading all of a huge one.
 */
export async function readDroppedCsv(
  file: Blob,
): Promise<{ text: string; encoding: "utf-8" | "windows-1252" }> {
  const bytes = await file.slice(0, MAX_CSV_BYTES + 1).arrayBuffer();
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), encoding: "utf-8" };
  } catch {
    return { text: new TextDecoder("windows-1252").decode(bytes), encoding: "windows-1252" };
  }
}

/** Whether a drag carries files (not text or a link from the page). */
export const dragHasFiles = (e: { dataTransfer: DataTransfer | null }) =>
  !!e.dataTransfer && Array.from(e.dataTransfer.types).includes("Files");
