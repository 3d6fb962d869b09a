import { screen, waitFor } from "@testing-library/preact";
import userEvent from "@testing-library/user-event";
import { ipc } from "../../lib/ipc";
import { renderApp, snapshot } from "../../test/render";
import { jobKey } from "../watch/jobState";
import { HistoryScreen } from "./HistoryScreen";

beforeEach(() => {
  vi.spyOn(ipc, "listJobs").mockResolvedValue([
    snapshot({ localId: 4, stage: "completed", storedRecords: 96 }).summary,
  ]);
  vi.spyOn(ipc, "accountJobsFiltered").mockResolvedValue({
    total: 0,
    page: 1,
    totalPages: 1,
    jobs: [],
  });
});
afterEach(() => vi.restoreAllMocks());

test("delete asks first, says it cannot be undone, and can be cancelled", async () => {
  const del = vi.spyOn(ipc, "deleteJob").mockResolvedValue();
  renderApp(<HistoryScreen />);
  expect(await screen.findByText("Completed")).toBeInTheDocument();
  await userEvent.click(screen.getByRole("button", { name: /^Delete job: Series A/ }));
  const dialog = screen.getByRole("alertdialog", { name: "Delete this job?" });
  expect(dialog).toHaveTextContent("This cannot be undone.");
  expect(screen.getByRole("button", { name: "Keep the job" })).toHaveFocus();
  await userEvent.click(screen.getByRole("button", { name: "Keep the job" }));
  expect(del).not.toHaveBeenCalled();

  await userEvent.click(screen.getByRole("button", { name: /^Delete job: Series A/ }));
  vi.mocked(ipc.listJobs).mockResolvedValue([]);
  await userEvent.click(screen.getByRole("button", { name: "Delete job" }));
  await waitFor(() => expect(del).toHaveBeenCalledWith(4));
  expect(await screen.findByText("No jobs yet.")).toBeInTheDocument();
  expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
});

test("search asks the engine", async () => {
  renderApp(<HistoryScreen />);
  await screen.findByText("Completed");
  await userEvent.type(screen.getByLabelText("Search jobs"), "fintech");
  await waitFor(() => expect(ipc.listJobs).toHaveBeenLastCalledWith("fintech"));
  await waitFor(() =>
    expect(ipc.accountJobsFiltered).toHaveBeenLastCalledWith(1, {
      search: "fintech",
      ownership: "all",
      mode: null,
    }),
  );
});

test("jobs colleagues shared say who shared them, when, and with what permission", async () => {
  vi.mocked(ipc.accountJobsFiltered).mockResolvedValue({
    total: 2,
    page: 1,
    totalPages: 1,
    jobs: [
      {
        jobId: "j-own",
        query: "Layoffs announced by US tech companies",
        createdAt: "2025-01-01T10:00:00Z",
        status: "completed",
        mode: "base",
        localId: null,
        sharedBy: null,
        sharedAt: null,
        permission: null,
      },
      {
        jobId: "j-shared",
        query: "Data breaches disclosed by hospitals",
        createdAt: "2025-01-02T10:00:00Z",
        status: "completed",
        mode: "lite",
        localId: null,
        sharedBy: "Maria Kowalski",
        sharedAt: "2025-01-02T15:00:00Z",
        permission: "view",
      },
    ],
  });
  renderApp(<HistoryScreen />);
  const shared = await screen.findByText(/^Shared by Maria Kowalski on /);
  expect(shared).toHaveTextContent("(view)");
  expect(screen.getByText("Yours")).toBeInTheDocument();
});

test("a long query is shortened in the list, whole on hover", async () => {
  const long = `Acquisitions of regional banks ${"with a long list of conditions ".repeat(60)}`;
  vi.mocked(ipc.listJobs).mockResolvedValue([
    snapshot({ localId: 9, stage: "completed", query: long }).summary,
  ]);
  renderApp(<HistoryScreen />);
  const short = await screen.findByText(/^Acquisitions of regional banks .*…$/);
  expect(short.textContent?.length).toBeLessThan(130);
  expect(short.closest("[title]")).toHaveAttribute("title", long);
  const open = screen.getByRole("button", { name: /^Open job: Acquisitions/ });
  expect(open.getAttribute("aria-label")?.length).toBeLessThan(160);
});

test("an account job opens from a fresh snapshot, not only the open command's answer", async () => {
  vi.mocked(ipc.accountJobsFiltered).mockResolvedValue({
    total: 1,
    page: 1,
    totalPages: 1,
    jobs: [
      {
        jobId: "lite-1",
        query: "Data breaches at hospitals",
        createdAt: "2025-01-01T10:00:00Z",
        status: "completed",
        mode: "lite",
        localId: null,
        sharedBy: null,
        sharedAt: null,
        permission: null,
      },
    ],
  });
  // The answer says "submitted"; the job completed before it arrived.
  vi.spyOn(ipc, "openAccountJob").mockResolvedValue(
    snapshot({ localId: 12, stage: "submitted", mode: "lite", origin: "account" }),
  );
  const { client } = renderApp(<HistoryScreen />);
  await userEvent.click(
    await screen.findByRole("button", { name: "Open account job: Data breaches at hospitals" }),
  );
  await waitFor(() => expect(ipc.openAccountJob).toHaveBeenCalledWith("lite-1"));
  await waitFor(() => expect(client.getQueryState(jobKey(12))?.isInvalidated).toBe(true));
});

test("the account list filters own, shared or all jobs and by mode, from page 1", async () => {
  vi.mocked(ipc.accountJobsFiltered).mockResolvedValue({
    total: 60,
    page: 1,
    totalPages: 2,
    jobs: [
      {
        jobId: "j-1",
        query: "Layoffs announced by US tech companies",
        createdAt: "2025-01-01T10:00:00Z",
        status: "completed",
        mode: "base",
        localId: null,
        sharedBy: null,
        sharedAt: null,
        permission: null,
      },
    ],
  });
  renderApp(<HistoryScreen />);
  await userEvent.click(await screen.findByRole("button", { name: "Next page" }));
  await waitFor(() =>
    expect(ipc.accountJobsFiltered).toHaveBeenLastCalledWith(2, {
      search: null,
      ownership: "all",
      mode: null,
    }),
  );

  vi.mocked(ipc.accountJobsFiltered).mockResolvedValue({
    total: 0,
    page: 1,
    totalPages: 1,
    jobs: [],
  });
  await userEvent.selectOptions(screen.getByRole("combobox", { name: "Show" }), "Shared with me");
  await waitFor(() =>
    expect(ipc.accountJobsFiltered).toHaveBeenLastCalledWith(1, {
      search: null,
      ownership: "shared",
      mode: null,
    }),
  );
  await userEvent.selectOptions(screen.getByRole("combobox", { name: "Mode" }), "Quick");
  await waitFor(() =>
    expect(ipc.accountJobsFiltered).toHaveBeenLastCalledWith(1, {
      search: null,
      ownership: "shared",
      mode: "lite",
    }),
  );
  expect(await screen.findByText("No jobs shared with you in Quick mode.")).toBeInTheDocument();
});
