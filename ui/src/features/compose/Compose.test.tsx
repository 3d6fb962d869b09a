import { screen, waitFor, within } from "@testing-library/preact";
import userEvent from "@testing-library/user-event";
import { ipc, type JobDraft } from "../../lib/ipc";
import { renderApp, snapshot } from "../../test/render";
import { Compose } from "./Compose";

const saved: JobDraft = {
  query: "Series A rounds in fintech",
  context: "Europe only",
  startDate: null,
  endDate: null,
  limit: 50,
  mode: "lite",
  validators: null,
  enrichments: null,
};

beforeEach(() => {
  vi.spyOn(ipc, "loadDraft").mockResolvedValue(null);
  vi.spyOn(ipc, "saveDraft").mockResolvedValue();
  vi.spyOn(ipc, "checkDraft").mockResolvedValue([]);
});
afterEach(() => vi.restoreAllMocks());

test("restores the saved draft and saves again as the user types", async () => {
  vi.mocked(ipc.loadDraft).mockResolvedValue(saved);
  renderApp(<Compose />);
  const query = await screen.findByLabelText("Query");
  expect(query).toHaveValue("Series A rounds in fintech");
  expect(screen.getByLabelText("Context (optional)")).toHaveValue("Europe only");
  expect(screen.getByLabelText("Maximum records")).toHaveValue("50");
  expect(screen.getByRole("radio", { name: "Quick: titles and citations only" })).toBeChecked();

  await userEvent.type(query, " in 2025");
  // Debounced: one save after the typing stops, with what is on screen.
  await waitFor(() => expect(ipc.saveDraft).toHaveBeenCalled(), { timeout: 2000 });
  expect(vi.mocked(ipc.saveDraft).mock.calls.at(-1)?.[0]).toMatchObject({
    query: "Series A rounds in fintech in 2025",
    mode: "lite",
  });
  expect(vi.mocked(ipc.saveDraft).mock.calls.length).toBeLessThan(3);
  expect(await screen.findByText("Draft saved")).toBeInTheDocument();
});

test("check query shows the verdict and applies an example in one click", async () => {
  vi.spyOn(ipc, "validateQuery").mockResolvedValue({
    status: "needs_work",
    title: "Too broad",
    description: null,
    issues: ["No industry given"],
    suggestions: [
      {
        issue: "scope",
        message: "Name an industry.",
        example: "Series A rounds of fintech startups",
      },
    ],
    confidence: 0.4,
  });
  renderApp(<Compose />);
  await userEvent.type(await screen.findByLabelText("Query"), "funding");
  await userEvent.click(screen.getByRole("button", { name: "Check query" }));
  expect(
    await screen.findByRole("heading", { name: "Query check: Could be clearer" }),
  ).toBeVisible();
  expect(screen.getByText("No industry given")).toBeInTheDocument();
  await userEvent.click(screen.getByRole("button", { name: /Use this example/ }));
  expect(screen.getByLabelText("Query")).toHaveValue("Series A rounds of fintech startups");
});

test("suggestions fill editable lists; names are checked next to the field; submit sends what is on screen", async () => {
  vi.spyOn(ipc, "initializeQuery").mockResolvedValue({
    validators: [
      { name: "is_series_a", description: "Is a Series A round" },
      { name: "is_fintech", description: "Company is fintech" },
    ],
    enrichments: [{ name: "amount", description: "Amount raised", kind: "number" }],
    startDate: "2025-01-01",
    endDate: "2025-01-20",
    dateMessages: ["Start date moved to the earliest allowed day."],
  });
  const submit = vi.spyOn(ipc, "submitJob").mockResolvedValue(snapshot({ localId: 7 }));
  renderApp(<Compose />);
  await userEvent.type(await screen.findByLabelText("Query"), "Series A rounds");
  await userEvent.click(screen.getByRole("button", { name: "Get suggestions" }));

  expect(await screen.findByLabelText("Name of validator 1")).toHaveValue("is_series_a");
  expect(screen.getByText("Start date moved to the earliest allowed day.")).toBeInTheDocument();

  // Remove a validator, reorder, add an enrichment with a bad name.
  await userEvent.click(screen.getByRole("button", { name: "Remove validator 1 (is_series_a)" }));
  expect(screen.getByLabelText("Name of validator 1")).toHaveValue("is_fintech");
  await userEvent.click(screen.getByRole("button", { name: "Add enrichment" }));
  const name = screen.getByLabelText("Name of enrichment 2");
  expect(name).toHaveFocus();
  await userEvent.type(name, "Lead Investor");
  await userEvent.tab();
  expect(screen.getByText(/Use lowercase letters, digits and underscores/)).toBeInTheDocument();
  expect(name).toHaveAttribute("aria-invalid", "true");

  // Submitting with a problem sends nothing and says so.
  await userEvent.click(screen.getByRole("button", { name: "Start job" }));
  expect(await screen.findByText(/Please fix the/)).toBeInTheDocument();
  expect(submit).not.toHaveBeenCalled();

  await userEvent.clear(name);
  await userEvent.type(name, "lead_investor");
  await userEvent.type(screen.getByLabelText("Description of enrichment 2"), "Who led the round");
  await userEvent.selectOptions(screen.getByLabelText("Type of enrichment 2"), "Company");
  await userEvent.click(screen.getByRole("button", { name: "Move enrichment 2 up" }));
  await userEvent.click(screen.getByRole("button", { name: "Start job" }));

  await waitFor(() => expect(submit).toHaveBeenCalledTimes(1));
  expect(submit.mock.calls[0][0]).toEqual({
    query: "Series A rounds",
    context: null,
    startDate: "2025-01-01",
    endDate: "2025-01-20",
    limit: null,
    mode: "base",
    validators: [{ name: "is_fintech", description: "Company is fintech" }],
    enrichments: [
      { name: "lead_investor", description: "Who led the round", kind: "company" },
      { name: "amount", description: "Amount raised", kind: "number" },
    ],
    sourceGroups: null,
  });
}, 20_000);

test("the engine's problems appear next to their field", async () => {
  vi.mocked(ipc.checkDraft).mockResolvedValue([
    { field: "limit", message: "Your plan allows at most 1,000 records." },
  ]);
  renderApp(<Compose />);
  await userEvent.type(await screen.findByLabelText("Query"), "Launches");
  const limit = screen.getByLabelText("Maximum records");
  await userEvent.type(limit, "5000");
  await userEvent.tab();
  const field = limit.closest(".field") as HTMLElement;
  expect(
    await within(field).findByText("Your plan allows at most 1,000 records."),
  ).toBeInTheDocument();
  await userEvent.clear(limit);
  await userEvent.type(limit, "5");
  expect(within(field).getByText("Maximum records must be at least 10.")).toBeInTheDocument();
});
