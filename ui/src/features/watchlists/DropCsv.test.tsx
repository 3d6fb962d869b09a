import { fireEvent, screen, waitFor, within } from "@testing-library/preact";
import userEvent from "@testing-library/user-event";
import { AppError, type CsvPreview, ipc } from "../../lib/ipc";
import { renderApp } from "../../test/render";
import { MAX_CSV_BYTES, readDroppedCsv } from "./dropCsv";
import { WatchlistsScreen } from "./WatchlistsScreen";

afterEach(() => vi.restoreAllMocks());

const preview: CsvPreview = {
  fileName: "clients.csv",
  encoding: "utf-8",
  totalRows: 2,
  rowCount: 1,
  rows: [
    {
      row: 2,
      name: "Zürich Re",
      description: "Insurer",
      domain: "zurichre.example",
      alternativeNames: [],
      keyPersons: [],
    },
  ],
  skipped: [{ row: 3, name: null, reason: "has no name" }],
  ignoredColumns: [],
};

/** A drop of `files` as the webview delivers it. */
function dropOn(el: Element, files: File[]) {
  const dataTransfer = { files, types: ["Files"] };
  fireEvent.dragOver(el, { dataTransfer });
  fireEvent.drop(el, { dataTransfer });
}

test("a dropped file is read as UTF-8 text, or as Windows-1252 when it is not", async () => {
  const utf8 = new File(["name,domain\nZürich Re,z.example\n"], "a.csv");
  expect(await readDroppedCsv(utf8)).toEqual({
    text: "name,domain\nZürich Re,z.example\n",
    encoding: "utf-8",
  });
  // "Zürich" as Excel saves it: ü is the single byte 0xFC.
  const cp1252 = new File([new Uint8Array([0x5a, 0xfc, 0x72, 0x69, 0x63, 0x68, 0x80])], "b.csv");
  const read = await readDroppedCsv(cp1252);
  expect(read.encoding).toBe("windows-1252");
  // 0x80 is "€" in a browser, U+0080 in some Node builds: Rust takes both back to 0x80.
  expect(read.text.slice(0, 6)).toBe("Zürich");
  // Only one byte past the limit is read of a huge file.
  const huge = new File([new Uint8Array(MAX_CSV_BYTES + 5000).fill(0x61)], "c.csv");
  expect((await readDroppedCsv(huge)).text).toHaveLength(MAX_CSV_BYTES + 1);
});

test("a CSV dropped on the screen is previewed by the same check, then uploaded", async () => {
  vi.spyOn(ipc, "listWatchlists").mockResolvedValue([]);
  vi.spyOn(ipc, "listProjects").mockResolvedValue([]);
  const check = vi.spyOn(ipc, "dropWatchlistCsv").mockResolvedValue(preview);
  const create = vi.spyOn(ipc, "createWatchlist").mockResolvedValue({
    watchlistId: "ds_9",
    companiesAdded: 1,
    skipped: [],
  });
  renderApp(<WatchlistsScreen />);
  const screenEl = await screen.findByRole("region", { name: "Watchlists" });
  dropOn(screenEl, [new File(["name,domain\nZürich Re,zurichre.example\n,x\n"], "clients.csv")]);
  const table = await screen.findByRole("table", { name: "Companies to upload" });
  expect(within(table).getByText("Zürich Re")).toBeInTheDocument();
  expect(check).toHaveBeenCalledWith(
    "clients.csv",
    "name,domain\nZürich Re,zurichre.example\n,x\n",
    "utf-8",
  );
  expect(screen.getByRole("list", { name: "Rows that will be skipped" })).toHaveTextContent(
    "Row 3",
  );
  // The name comes from the file's; the upload is the checked file's.
  expect(screen.getByLabelText("Name")).toHaveValue("clients");
  await userEvent.click(screen.getByRole("button", { name: "Upload watchlist" }));
  await waitFor(() => expect(create).toHaveBeenCalledWith("clients", null, null));
});

test("a dropped Windows-1252 file gets the offer to read it so; text drags are ignored", async () => {
  vi.spyOn(ipc, "listWatchlists").mockResolvedValue([]);
  vi.spyOn(ipc, "listProjects").mockResolvedValue([]);
  const check = vi
    .spyOn(ipc, "dropWatchlistCsv")
    .mockRejectedValue(new AppError("csv_not_utf8", "The file is not UTF-8 text."));
  const reread = vi
    .spyOn(ipc, "rereadWatchlistCsv")
    .mockResolvedValue({ ...preview, encoding: "windows-1252" });
  renderApp(<WatchlistsScreen />);
  const screenEl = await screen.findByRole("region", { name: "Watchlists" });
  // Dragging text (not a file) changes nothing.
  fireEvent.drop(screenEl, { dataTransfer: { files: [], types: ["text/plain"] } });
  expect(screen.queryByRole("form", { name: "New watchlist" })).toBeNull();
  dropOn(screenEl, [new File([new Uint8Array([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0xc4])], "x.csv")]);
  const alert = await screen.findByRole("alert");
  expect(alert).toHaveTextContent("not UTF-8");
  expect(check).toHaveBeenCalledWith("x.csv", "name\nÄ", "windows-1252");
  await userEvent.click(
    within(alert).getByRole("button", { name: "Read it as Windows-1252 (Excel)" }),
  );
  expect(reread).toHaveBeenCalledWith("windows-1252");
  expect(await screen.findByText(/read as Windows-1252/)).toBeInTheDocument();
});
