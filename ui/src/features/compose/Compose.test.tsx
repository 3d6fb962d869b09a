import { act, screen, waitFor, within } from "@testing-library/preact";
import userEvent from "@testing-library/user-event";
import { useNav } from "../../app/nav";
import { AppError, ipc, type JobDraft } from "../../lib/ipc";
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
  vi.spyOn(ipc, "getSettings").mockResolvedValue({
    baseUrl: "https://example.test",
    pollIntervalSecs: 30,
    theme: "system",
    confirmAboveRecords: 1000,
  });
  vi.spyOn(ipc, "planLimits").mockResolvedValue([
    { code: "Job_Max_Results", name: "Records per job", value: "100,000", currentUsage: null },
    {
      code: "monthly_free_credits",
      name: "Monthly credits",
      value: "10,000",
      currentUsage: "3,000",
    },
  ]);
  vi.spyOn(ipc, "loadDraft").mockResolvedValue(null);
  vi.spyOn(ipc, "listTemplates").mockResolvedValue([]);
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

test("the query check reads as one block: verdict, plain sentences, distinct examples", async () => {
  vi.spyOn(ipc, "validateQuery").mockResolvedValue({
    status: "needs_work",
    title: "Too broad",
    description: null,
    issues: ["missing_event_type", "too_vague"],
    suggestions: [
      {
        issue: "too_vague",
        message: "Name an industry.",
        example: "Series A rounds of fintech startups",
      },
      {
        issue: "missing_event_type",
        message: "Say what happened.",
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
  // Codes become sentences; the code itself is not shown.
  expect(screen.getByText(/Say what kind of event to find/)).toBeInTheDocument();
  expect(screen.getByText(/Be more specific/)).toBeInTheDocument();
  expect(screen.queryByText(/missing_event_type/)).not.toBeInTheDocument();
  // The same example twice is offered once.
  const use = screen.getAllByRole("button", { name: /^Use this example/ });
  expect(use).toHaveLength(1);
  expect(use[0]).toHaveTextContent("Use this");
  // The panel says when it no longer matches the wording.
  expect(screen.queryByText(/for an earlier wording/)).not.toBeInTheDocument();
  await userEvent.type(screen.getByLabelText("Query"), " rounds");
  expect(screen.getByText(/for an earlier wording/)).toBeInTheDocument();
  await userEvent.click(use[0]);
  expect(screen.getByLabelText("Query")).toHaveValue("Series A rounds of fintech startups");
});

test("Enter in a one-line field never starts; the button says what will happen", async () => {
  const submit = vi.spyOn(ipc, "submitJob").mockResolvedValue(snapshot({ localId: 3 }));
  renderApp(<Compose />);
  await userEvent.type(await screen.findByLabelText("Query"), "Layoffs at European banks");
  await userEvent.click(screen.getByRole("radio", { name: "Last 7 days" }));
  const limit = screen.getByLabelText("Maximum records");
  await userEvent.type(limit, "200{Enter}");
  await new Promise((r) => setTimeout(r, 50));
  expect(submit).not.toHaveBeenCalled();
  expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
  const start = screen.getByRole("button", {
    name: "Start job · up to 200 records · last 7 days",
  });
  await userEvent.click(start);
  await waitFor(() => expect(submit).toHaveBeenCalledTimes(1));
  expect(submit.mock.calls[0][0].limit).toBe(200);
});

test("a limit above the threshold, or none, asks first and shows the credits left", async () => {
  const submit = vi.spyOn(ipc, "submitJob").mockResolvedValue(snapshot({ localId: 4 }));
  renderApp(<Compose />);
  await userEvent.type(await screen.findByLabelText("Query"), "Layoffs at European banks");
  // Empty: the plan's maximum.
  await userEvent.click(
    await screen.findByRole("button", {
      name: /^Start job · up to 100,000 records \(plan maximum\)/,
    }),
  );
  let dialog = await screen.findByRole("alertdialog", { name: "Start a large job?" });
  expect(dialog).toHaveTextContent("7,000 of 10,000 monthly credits left");
  expect(dialog).toHaveTextContent(/No maximum was given/);
  await userEvent.click(within(dialog).getByRole("button", { name: "Go back" }));
  expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
  expect(submit).not.toHaveBeenCalled();

  await userEvent.type(screen.getByLabelText("Maximum records"), "5000");
  await userEvent.click(screen.getByRole("button", { name: /^Start job · up to 5,000 records/ }));
  dialog = await screen.findByRole("alertdialog", { name: "Start a large job?" });
  expect(dialog).toHaveTextContent("more than 1,000 records");
  await userEvent.click(within(dialog).getByRole("button", { name: "Yes, start the job" }));
  await waitFor(() => expect(submit).toHaveBeenCalledTimes(1));
  expect(submit.mock.calls[0][0].limit).toBe(5000);
});

test("a query the check calls too long is refused before sending, until it changes", async () => {
  const validate = vi.spyOn(ipc, "validateQuery").mockResolvedValue({
    status: "critical",
    title: "Too long",
    description: null,
    issues: ["too_long"],
    suggestions: [],
    confidence: 0.2,
  });
  const submit = vi.spyOn(ipc, "submitJob").mockResolvedValue(snapshot({ localId: 5 }));
  renderApp(<Compose />);
  const query = await screen.findByLabelText("Query");
  query.focus();
  await userEvent.paste(`Funding rounds ${"with many details ".repeat(40)}`);
  await userEvent.type(screen.getByLabelText("Maximum records"), "100");
  await userEvent.click(screen.getByRole("button", { name: /^Start job/ }));
  expect(await screen.findByText(/does not take a query this long/)).toBeInTheDocument();
  expect(validate).toHaveBeenCalledTimes(1);
  expect(submit).not.toHaveBeenCalled();
  expect(query).toHaveAttribute("aria-invalid", "true");
  // The message goes as soon as its cause does.
  await userEvent.clear(query);
  await userEvent.type(query, "Funding rounds in fintech");
  expect(screen.queryByText(/does not take a query this long/)).not.toBeInTheDocument();
  await userEvent.click(screen.getByRole("button", { name: /^Start job/ }));
  await waitFor(() => expect(submit).toHaveBeenCalledTimes(1));
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
  await userEvent.type(screen.getByLabelText("Maximum records"), "100");
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
  await userEvent.click(screen.getByRole("button", { name: /^Start job/ }));
  expect(await screen.findByText(/Please fix the/)).toBeInTheDocument();
  expect(submit).not.toHaveBeenCalled();

  await userEvent.clear(name);
  await userEvent.type(name, "lead_investor");
  await userEvent.type(screen.getByLabelText("Description of enrichment 2"), "Who led the round");
  await userEvent.selectOptions(screen.getByLabelText("Type of enrichment 2"), "Company");
  await userEvent.click(screen.getByRole("button", { name: "Move enrichment 2 up" }));
  await userEvent.click(screen.getByRole("button", { name: /^Start job/ }));

  await waitFor(() => expect(submit).toHaveBeenCalledTimes(1));
  expect(submit.mock.calls[0][0]).toEqual({
    query: "Series A rounds",
    context: null,
    startDate: "2025-01-01",
    endDate: "2025-01-20",
    limit: 100,
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

test("suggestions keep the analyst's rows and window, propose the rest, and can be undone", async () => {
  const init = vi.spyOn(ipc, "initializeQuery").mockResolvedValue({
    validators: [
      { name: "is_layoff", description: "Announces job cuts" },
      { name: "is_bank", description: "Company is a bank" },
    ],
    enrichments: [{ name: "jobs_cut", description: "How many jobs", kind: "number" }],
    startDate: "2025-01-01",
    endDate: "2025-01-20",
    dateMessages: [],
  });
  renderApp(<Compose />);
  await userEvent.type(await screen.findByLabelText("Query"), "Layoffs at European banks");
  await userEvent.click(screen.getByRole("radio", { name: "Last 7 days" }));
  await userEvent.click(screen.getByRole("button", { name: "Add validator" }));
  await userEvent.type(screen.getByLabelText("Name of validator 1"), "is_european");
  await userEvent.type(screen.getByLabelText("Description of validator 1"), "Based in Europe");

  await userEvent.click(screen.getByRole("button", { name: "Get suggestions" }));
  const panel = await screen.findByRole("region", { name: "Suggested by the service" });
  // The analyst's row is kept and marked as theirs; the service's rows wait.
  expect(screen.getByLabelText("Name of validator 1")).toHaveValue("is_european");
  expect(screen.queryByLabelText("Name of validator 2")).not.toBeInTheDocument();
  expect(screen.getAllByText("Yours")).toHaveLength(1);
  // The empty enrichment list took the suggestion; the window stayed.
  expect(screen.getByLabelText("Name of enrichment 1")).toHaveValue("jobs_cut");
  expect(screen.getByRole("radio", { name: "Last 7 days" })).toBeChecked();
  expect(within(panel).getByText(/your date window was kept/)).toBeInTheDocument();

  await userEvent.click(
    within(panel).getByRole("button", { name: "Add suggested validator is_bank" }),
  );
  expect(screen.getByLabelText("Name of validator 2")).toHaveValue("is_bank");
  await userEvent.click(screen.getByRole("button", { name: "Undo suggestions" }));
  expect(screen.queryByLabelText("Name of validator 2")).not.toBeInTheDocument();
  await userEvent.click(
    within(screen.getByRole("region", { name: "Suggested by the service" })).getByRole("button", {
      name: "Add all 2 suggestions",
    }),
  );
  expect(screen.getByLabelText("Name of validator 3")).toHaveValue("is_bank");
  // Only the dates are still offered; dismissing keeps the window.
  const rest = screen.getByRole("region", { name: "Suggested by the service" });
  expect(within(rest).queryByRole("button", { name: /^Add suggested/ })).toBeNull();
  await userEvent.click(within(rest).getByRole("button", { name: "Dismiss suggestions" }));
  expect(screen.queryByRole("region", { name: "Suggested by the service" })).toBeNull();
  expect(screen.getByRole("radio", { name: "Last 7 days" })).toBeChecked();

  // Another wording: say so, and offer to refresh.
  await userEvent.type(screen.getByLabelText("Query"), " and insurers");
  expect(
    screen.getByText("The suggestions came from the previous wording of the query"),
  ).toBeInTheDocument();
  await userEvent.click(screen.getByRole("button", { name: "Refresh suggestions" }));
  await waitFor(() => expect(init).toHaveBeenCalledTimes(2));
  expect(init.mock.calls[1][0]).toBe("Layoffs at European banks and insurers");
  await waitFor(() =>
    expect(screen.queryByText(/came from the previous wording/)).not.toBeInTheDocument(),
  );
  expect(screen.getByLabelText("Name of validator 1")).toHaveValue("is_european");
}, 20_000);

test("in Quick mode the enrichment editor is disabled with a reason, and nothing is lost", async () => {
  vi.mocked(ipc.loadDraft).mockResolvedValue({
    ...saved,
    mode: "base",
    enrichments: [{ name: "amount", description: "Amount raised", kind: "number" }],
  });
  const submit = vi.spyOn(ipc, "submitJob").mockResolvedValue(snapshot({ localId: 8 }));
  renderApp(<Compose />);
  expect(await screen.findByLabelText("Name of enrichment 1")).toBeEnabled();
  await userEvent.click(screen.getByRole("radio", { name: "Quick: titles and citations only" }));
  expect(screen.getByLabelText("Name of enrichment 1")).toBeDisabled();
  expect(screen.getByRole("button", { name: "Add enrichment" })).toBeDisabled();
  expect(screen.getByText(/Quick jobs collect titles and citations only/)).toBeInTheDocument();
  await userEvent.click(screen.getByRole("button", { name: /^Start job/ }));
  await waitFor(() => expect(submit).toHaveBeenCalledTimes(1));
  expect(submit.mock.calls[0][0]).toMatchObject({ mode: "lite", enrichments: null });
  // The draft keeps them.
  await waitFor(() =>
    expect(vi.mocked(ipc.saveDraft).mock.calls.at(-1)?.[0].enrichments).toHaveLength(1),
  );
});

const handOver: { runAgain: (d: JobDraft) => void } = { runAgain: () => {} };
function Trigger() {
  handOver.runAgain = useNav().runAgain;
  return null;
}

test("run again with edits asks before replacing a draft with work in it", async () => {
  vi.mocked(ipc.loadDraft).mockResolvedValue(saved);
  renderApp(
    <>
      <Trigger />
      <Compose />
    </>,
  );
  expect(await screen.findByLabelText("Query")).toHaveValue("Series A rounds in fintech");
  act(() => handOver.runAgain({ ...saved, query: "Layoffs at European banks", limit: 30 }));
  const dialog = await screen.findByRole("alertdialog", { name: "Replace your current draft?" });
  await userEvent.click(within(dialog).getByRole("button", { name: "Keep my draft" }));
  expect(screen.getByLabelText("Query")).toHaveValue("Series A rounds in fintech");
  act(() => handOver.runAgain({ ...saved, query: "Layoffs at European banks", limit: 30 }));
  await userEvent.click(
    within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Replace it" }),
  );
  expect(screen.getByLabelText("Query")).toHaveValue("Layoffs at European banks");
  expect(screen.getByLabelText("Maximum records")).toHaveValue("30");
});

test("a refused start's message goes once the draft changes", async () => {
  vi.spyOn(ipc, "submitJob").mockRejectedValue(
    new AppError("rejected", "Your plan allows at most 500 records per job."),
  );
  renderApp(<Compose />);
  await userEvent.type(await screen.findByLabelText("Query"), "Layoffs at European banks");
  const limit = screen.getByLabelText("Maximum records");
  await userEvent.type(limit, "900");
  await userEvent.click(screen.getByRole("button", { name: /^Start job/ }));
  expect(await screen.findByText("Your plan allows at most 500 records per job.")).toBeVisible();
  await userEvent.clear(limit);
  await userEvent.type(limit, "400");
  expect(screen.queryByText("Your plan allows at most 500 records per job.")).toBeNull();
});

test("a gallery template fills the composer; the analyst's draft can be saved as a template", async () => {
  const save = vi
    .spyOn(ipc, "saveTemplate")
    .mockImplementation(async (name, draft) => [{ name, draft }]);
  renderApp(<Compose />);
  await userEvent.click(await screen.findByText("Start from a template"));
  const gallery = screen.getByRole("list", { name: "Templates" });
  for (const name of [
    "Funding rounds",
    "Mergers and acquisitions",
    "Layoffs",
    "Data breaches",
    "Executive moves",
    "Product launches",
    "Regulatory actions",
  ])
    expect(within(gallery).getByRole("button", { name: `Use template: ${name}` })).toBeVisible();
  await userEvent.click(within(gallery).getByRole("button", { name: "Use template: Layoffs" }));
  expect(screen.getByLabelText("Query")).toHaveValue("Companies announcing layoffs or job cuts");
  expect(screen.getByLabelText("Name of validator 1")).toHaveValue("is_layoff");
  expect(screen.getByLabelText("Name of enrichment 2")).toHaveValue("jobs_cut");

  // Another template over work in progress asks first.
  await userEvent.type(screen.getByLabelText("Query"), " in Europe");
  await userEvent.click(
    within(gallery).getByRole("button", { name: "Use template: Data breaches" }),
  );
  const ask = await screen.findByRole("alertdialog", { name: "Replace your current draft?" });
  await userEvent.click(within(ask).getByRole("button", { name: "Keep my draft" }));
  expect(screen.getByLabelText("Query")).toHaveValue(
    "Companies announcing layoffs or job cuts in Europe",
  );

  await userEvent.click(screen.getByRole("button", { name: "Save as template" }));
  await userEvent.type(screen.getByLabelText("Template name"), "European layoffs");
  await userEvent.click(screen.getByRole("button", { name: "Save template" }));
  await waitFor(() => expect(save).toHaveBeenCalledTimes(1));
  expect(save.mock.calls[0][0]).toBe("European layoffs");
  expect(save.mock.calls[0][1]).toMatchObject({
    query: "Companies announcing layoffs or job cuts in Europe",
    validators: [{ name: "is_layoff", description: expect.any(String) }],
  });
  expect(await screen.findByText("Template saved")).toBeInTheDocument();
  expect(
    within(gallery).getByRole("button", { name: "Use template: European layoffs" }),
  ).toBeInTheDocument();
}, 20_000);
