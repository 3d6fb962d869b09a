import { screen, waitFor, within } from "@testing-library/preact";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { AppError, ipc, type SourceGroup } from "../../lib/ipc";
import { renderApp } from "../../test/render";
import { Compose } from "./Compose";
import { matchesSearch, SourceGroupsPicker } from "./SourceGroupsPicker";

const groups: SourceGroup[] = [
  { slug: "tier-1-business", name: "Tier 1 business press", description: "FT, WSJ, Bloomberg" },
  { slug: "tech-press", name: "Technology press", description: null },
  { slug: "german-regional", name: "German regional papers", description: "Länder dailies" },
];

afterEach(() => vi.restoreAllMocks());

function Harness({ initial = [] as string[], onChange = (_: string[]) => {} }) {
  const [value, setValue] = useState(initial);
  return (
    <SourceGroupsPicker
      value={value}
      onChange={(v) => {
        setValue(v);
        onChange(v);
      }}
    />
  );
}

test("search matches name, slug or description, every word, any case", () => {
  expect(matchesSearch(groups[0], "bloomberg")).toBe(true);
  expect(matchesSearch(groups[1], "TECH press")).toBe(true);
  expect(matchesSearch(groups[2], "german-regional")).toBe(true);
  expect(matchesSearch(groups[1], "tech bloomberg")).toBe(false);
  expect(matchesSearch(groups[1], "")).toBe(true);
});

test("the list is asked for only when opened, is searchable, and choices are checkboxes", async () => {
  const list = vi.spyOn(ipc, "sourceGroups").mockResolvedValue(groups);
  const changes: string[][] = [];
  renderApp(<Harness onChange={(v) => changes.push(v)} />);
  expect(screen.getByText(/^All news sources\./)).toBeInTheDocument();
  expect(list).not.toHaveBeenCalled();

  const toggle = screen.getByRole("button", { name: "Choose source groups" });
  expect(toggle).toHaveAttribute("aria-expanded", "false");
  await userEvent.click(toggle);
  expect(screen.getByRole("button", { name: "Hide source groups" })).toHaveAttribute(
    "aria-expanded",
    "true",
  );
  const listEl = await screen.findByRole("list", { name: "Source groups" });
  expect(within(listEl).getAllByRole("checkbox")).toHaveLength(3);
  expect(list).toHaveBeenCalledWith(null);

  await userEvent.type(screen.getByRole("searchbox", { name: "Search source groups" }), "press");
  expect(within(listEl).getAllByRole("checkbox")).toHaveLength(2);
  await userEvent.click(screen.getByRole("checkbox", { name: "Technology press" }));
  await userEvent.click(screen.getByRole("checkbox", { name: "Tier 1 business press" }));
  expect(changes.at(-1)).toEqual(["tech-press", "tier-1-business"]);
  expect(
    screen.getByRole("checkbox", { name: "Tier 1 business press" }),
  ).toHaveAccessibleDescription("FT, WSJ, Bloomberg");

  await userEvent.clear(screen.getByRole("searchbox", { name: "Search source groups" }));
  await userEvent.type(screen.getByRole("searchbox", { name: "Search source groups" }), "nothing");
  expect(screen.getByText("No source group matches this search.")).toBeInTheDocument();
  // Choices outside the current search are kept and named.
  expect(
    screen.getByText(/^Only these 2 source groups: Technology press, Tier 1 business press\./),
  ).toBeInTheDocument();

  await userEvent.click(screen.getByRole("button", { name: "Use all news sources" }));
  expect(changes.at(-1)).toEqual([]);
});

test("with 20 chosen, the others cannot be ticked", async () => {
  const many: SourceGroup[] = Array.from({ length: 21 }, (_, i) => ({
    slug: `g${i}`,
    name: `Group ${i}`,
    description: null,
  }));
  vi.spyOn(ipc, "sourceGroups").mockResolvedValue(many);
  renderApp(<Harness initial={many.slice(0, 20).map((g) => g.slug)} />);
  await userEvent.click(screen.getByRole("button", { name: "Choose source groups" }));
  expect(await screen.findByRole("checkbox", { name: "Group 20" })).toBeDisabled();
  expect(screen.getByRole("checkbox", { name: "Group 0" })).toBeEnabled();
  expect(screen.getByRole("status")).toHaveTextContent("20 source groups chosen");
});

test("a failed list says so in plain words", async () => {
  vi.spyOn(ipc, "sourceGroups").mockRejectedValue(
    new AppError("offline", "The service could not be reached."),
  );
  renderApp(<Harness />);
  await userEvent.click(screen.getByRole("button", { name: "Choose source groups" }));
  expect(await screen.findByText(/could not be reached/)).toBeInTheDocument();
});

test("the composer sends the chosen outlets with the job", async () => {
  vi.spyOn(ipc, "getSettings").mockResolvedValue({
    baseUrl: "https://example.test",
    pollIntervalSecs: 30,
    theme: "system",
    confirmAboveRecords: 1000,
  });
  vi.spyOn(ipc, "planLimits").mockResolvedValue([]);
  vi.spyOn(ipc, "listTemplates").mockResolvedValue([]);
  vi.spyOn(ipc, "loadDraft").mockResolvedValue(null);
  vi.spyOn(ipc, "saveDraft").mockResolvedValue();
  vi.spyOn(ipc, "checkDraft").mockResolvedValue([]);
  vi.spyOn(ipc, "sourceGroups").mockResolvedValue(groups);
  const submit = vi.spyOn(ipc, "submitJob").mockRejectedValue(new Error("stop here"));
  renderApp(<Compose />);
  await userEvent.type(await screen.findByLabelText("Query"), "Layoffs at German carmakers");
  await userEvent.click(screen.getByRole("button", { name: "Choose source groups" }));
  await userEvent.click(await screen.findByRole("checkbox", { name: "German regional papers" }));
  await userEvent.type(screen.getByLabelText("Maximum records"), "50");
  await userEvent.click(screen.getByRole("button", { name: /^Start job/ }));
  await waitFor(() => expect(submit).toHaveBeenCalledTimes(1));
  expect(submit.mock.calls[0][0].sourceGroups).toEqual(["german-regional"]);
  expect(vi.mocked(ipc.checkDraft).mock.calls.at(-1)?.[0].sourceGroups).toEqual([
    "german-regional",
  ]);
});
