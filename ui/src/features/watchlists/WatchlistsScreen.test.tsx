import { screen, waitFor, within } from "@testing-library/preact";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import {
  AppError,
  type CsvPreview,
  ipc,
  type Watchlist,
  type WatchlistDetail,
  type WatchlistScope,
} from "../../lib/ipc";
import { renderApp } from "../../test/render";
import { CompanyScope, relevanceWords } from "./CompanyScope";
import { WatchlistsScreen } from "./WatchlistsScreen";

afterEach(() => vi.restoreAllMocks());

const ready: Watchlist = {
  id: "ds_1",
  name: "Portfolio",
  description: null,
  companyCount: 2,
  status: "ready",
  statusWords: "Ready to use",
  ready: true,
  health: 85,
  createdAt: null,
};
const enriching: Watchlist = {
  ...ready,
  id: "ds_2",
  name: "Suppliers",
  status: "enriching",
  statusWords: "Looking up the companies",
  ready: false,
};

const preview: CsvPreview = {
  fileName: "clients.csv",
  encoding: "windows-1252",
  totalRows: 3,
  rowCount: 2,
  rows: [
    {
      row: 2,
      name: "Zürich Re",
      description: "Insurer",
      domain: "zurichre.example",
      alternativeNames: ["ZRe"],
      keyPersons: [],
    },
    {
      row: 4,
      name: "Acme",
      description: null,
      domain: "acme.example",
      alternativeNames: [],
      keyPersons: ["Wile E. Coyote"],
    },
  ],
  skipped: [{ row: 3, name: "Lonely Co", reason: "needs a description or a domain" }],
  ignoredColumns: ["Notes"],
};

test("a CSV that is not UTF-8 can be read as Windows-1252, previewed with its skipped rows, then uploaded", async () => {
  vi.spyOn(ipc, "listWatchlists").mockResolvedValue([ready, enriching]);
  vi.spyOn(ipc, "listProjects").mockResolvedValue([]);
  const pick = vi
    .spyOn(ipc, "pickWatchlistCsv")
    .mockRejectedValue(new AppError("csv_not_utf8", "The file is not UTF-8 text."));
  const reread = vi.spyOn(ipc, "rereadWatchlistCsv").mockResolvedValue(preview);
  const create = vi.spyOn(ipc, "createWatchlist").mockResolvedValue({
    watchlistId: "ds_9",
    companiesAdded: 2,
    skipped: [],
  });
  renderApp(<WatchlistsScreen />);

  const list = await screen.findByRole("list", { name: "Your watchlists" });
  expect(within(list).getByText("Looking up the companies")).toBeInTheDocument();
  expect(within(list).getByText("Ready to use")).toBeInTheDocument();

  await userEvent.click(screen.getByRole("button", { name: "New watchlist from a CSV file" }));
  await userEvent.click(screen.getByRole("button", { name: "Choose a CSV file…" }));
  expect(pick).toHaveBeenCalled();
  const alert = await screen.findByRole("alert");
  expect(alert).toHaveTextContent("not UTF-8");
  // Nothing is uploaded without a preview.
  expect(screen.getByRole("button", { name: "Upload watchlist" })).toBeDisabled();
  await userEvent.click(
    within(alert).getByRole("button", { name: "Read it as Windows-1252 (Excel)" }),
  );
  expect(reread).toHaveBeenCalledWith("windows-1252");

  const table = await screen.findByRole("table", { name: "Companies to upload" });
  expect(within(table).getByText("Zürich Re")).toBeInTheDocument();
  expect(within(table).getByText("Wile E. Coyote")).toBeInTheDocument();
  const skipped = screen.getByRole("list", { name: "Rows that will be skipped" });
  expect(skipped).toHaveTextContent("Row 3 (Lonely Co): needs a description or a domain");
  expect(screen.getByText(/Columns not used: Notes/)).toBeInTheDocument();
  // The file's name is offered as the watchlist's name.
  const name = screen.getByRole("textbox", { name: "Name" });
  expect(name).toHaveValue("clients");
  await userEvent.clear(name);
  await userEvent.click(screen.getByRole("button", { name: "Upload watchlist" }));
  expect(await screen.findByText("Give the watchlist a name.")).toBeInTheDocument();
  expect(create).not.toHaveBeenCalled();
  await userEvent.type(name, "Swiss clients");
  await userEvent.click(screen.getByRole("button", { name: "Upload watchlist" }));
  await waitFor(() => expect(create).toHaveBeenCalledWith("Swiss clients", null, null));
  expect(await screen.findByText(/the service added 2 companies/)).toBeInTheDocument();
});

test("a watchlist opens with its companies; chosen ones are removed, one is added, it is renamed", async () => {
  vi.spyOn(ipc, "listWatchlists").mockResolvedValue([ready]);
  vi.spyOn(ipc, "listProjects").mockResolvedValue([]);
  const detail: WatchlistDetail = {
    watchlist: ready,
    companies: [
      {
        id: "e1",
        name: "Acme",
        description: null,
        domain: "acme.example",
        status: "ready",
        statusWords: "Ready to use",
      },
      {
        id: "e2",
        name: "Globex",
        description: "Energy",
        domain: null,
        status: "ready",
        statusWords: "Ready to use",
      },
    ],
    history: [],
  };
  vi.spyOn(ipc, "watchlistDetail").mockResolvedValue(detail);
  const remove = vi.spyOn(ipc, "removeCompanies").mockResolvedValue(1);
  const add = vi.spyOn(ipc, "addCompany").mockResolvedValue();
  const rename = vi.spyOn(ipc, "renameWatchlist").mockResolvedValue({ ...ready, name: "Core" });
  renderApp(<WatchlistsScreen />);

  await userEvent.click(await screen.findByRole("button", { name: "Portfolio" }));
  const region = await screen.findByRole("region", { name: "Watchlist Portfolio" });
  const removeBtn = within(region).getByRole("button", { name: /Remove/ });
  expect(removeBtn).toBeDisabled();
  await userEvent.click(within(region).getByRole("checkbox", { name: "Globex" }));
  await userEvent.click(within(region).getByRole("button", { name: "Remove 1 selected" }));
  await waitFor(() => expect(remove).toHaveBeenCalledWith("ds_1", ["e2"]), { timeout: 5000 });

  const addForm = within(region).getByRole("form", { name: "Add a company" });
  await userEvent.type(within(addForm).getByRole("textbox", { name: "Company" }), "Hooli");
  await userEvent.type(
    within(addForm).getByRole("textbox", { name: "Web domain" }),
    "hooli.example",
  );
  await userEvent.click(within(addForm).getByRole("button", { name: "Add company" }));
  await waitFor(() => expect(add).toHaveBeenCalledWith("ds_1", "Hooli", "hooli.example", null));

  const renameForm = within(region).getByRole("form", { name: "Rename" });
  await userEvent.type(within(renameForm).getByRole("textbox", { name: "New name" }), "Core");
  await userEvent.click(within(renameForm).getByRole("button", { name: "Rename" }));
  await waitFor(() => expect(rename).toHaveBeenCalledWith("ds_1", "Core"));
});

function ScopeHarness({ onChange }: { onChange: (v: WatchlistScope | null) => void }) {
  const [v, setV] = useState<WatchlistScope | null>(null);
  return (
    <CompanyScope
      value={v}
      onChange={(x) => {
        setV(x);
        onChange(x);
      }}
    />
  );
}

test("the composer's company scope: watchlists are asked for when opened; not-ready ones cannot be chosen", async () => {
  const list = vi.spyOn(ipc, "listWatchlists").mockResolvedValue([ready, enriching]);
  const seen: (WatchlistScope | null)[] = [];
  renderApp(<ScopeHarness onChange={(v) => seen.push(v)} />);
  expect(list).not.toHaveBeenCalled();
  await userEvent.click(screen.getByRole("button", { name: "Choose watchlists" }));
  const boxes = await screen.findByRole("list", { name: "Watchlists" });
  expect(await within(boxes).findByRole("checkbox", { name: "Suppliers" })).toBeDisabled();
  await userEvent.click(within(boxes).getByRole("checkbox", { name: "Portfolio" }));
  expect(seen.at(-1)).toEqual({
    watchlistIds: ["ds_1"],
    minRelevance: null,
    association: null,
    allNews: false,
  });

  await userEvent.click(screen.getByRole("radio", { name: "Only mentioned" }));
  await userEvent.click(
    screen.getByRole("checkbox", { name: "All news about these companies (no topic needed)" }),
  );
  expect(seen.at(-1)).toEqual({
    watchlistIds: ["ds_1"],
    minRelevance: null,
    association: "mention",
    allNews: true,
  });
  const slider = screen.getByRole("slider", { name: /Minimum relevance/ });
  expect(slider).toHaveAttribute("aria-valuetext", "1: any mention");
  expect(relevanceWords(10)).toMatch(/critical/);
});
