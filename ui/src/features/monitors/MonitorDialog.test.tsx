import { screen, waitFor } from "@testing-library/preact";
import userEvent from "@testing-library/user-event";
import type { MonitorSummary } from "../../bindings";
import { renderApp } from "../../test/render";
import { MonitorDialog } from "./MonitorDialog";
import { monitorsIpc } from "./monitorsIpc";
import { localTimeZone } from "./schedule";

const made = { id: 1, scheduleHuman: "Every day at 09:00 (UTC)" } as MonitorSummary;

beforeEach(() => {
  vi.spyOn(monitorsIpc, "webhooks").mockResolvedValue([
    { id: "wh-1", name: "#deals", url: "https://hooks.slack.com/x", kind: "slack", active: true },
  ]);
});
afterEach(() => vi.restoreAllMocks());

function open(onCreated = vi.fn()) {
  renderApp(
    <MonitorDialog
      jobLocalId={7}
      query="Series B rounds in European SaaS"
      defaultLimit={25}
      onClose={() => {}}
      onCreated={onCreated}
    />,
  );
  return onCreated;
}

test("a preset, the computer's timezone, the cost per run and a team channel", async () => {
  const create = vi.spyOn(monitorsIpc, "create").mockResolvedValue(made);
  const onCreated = open();
  expect(screen.getByRole("dialog", { name: "Monitor this query" })).toBeVisible();
  expect(screen.getByRole("radio", { name: "Every weekday at 9:00" })).toHaveFocus();
  expect(screen.getByRole("textbox", { name: /Timezone/ })).toHaveValue(localTimeZone());
  expect(screen.getByText("Each run costs up to 25 records of your plan.")).toBeVisible();
  await userEvent.click(screen.getByRole("radio", { name: "Every day at 9:00" }));
  await userEvent.click(await screen.findByRole("checkbox", { name: /#deals/ }));
  await userEvent.click(screen.getByRole("button", { name: "Create monitor" }));
  await waitFor(() =>
    expect(create).toHaveBeenCalledWith({
      jobLocalId: 7,
      schedule: "every day at 9:00",
      timezone: localTimeZone(),
      limit: 25,
      backfill: false,
      webhookIds: ["wh-1"],
      projectId: null,
    }),
  );
  await waitFor(() => expect(onCreated).toHaveBeenCalledWith(made));
});

test("bad input gets plain words before any request", async () => {
  const create = vi.spyOn(monitorsIpc, "create").mockResolvedValue(made);
  const add = vi.spyOn(monitorsIpc, "createWebhook");
  open();
  await userEvent.click(screen.getByRole("radio", { name: "In my own words" }));
  const limit = screen.getByRole("spinbutton", { name: /Records per run/ });
  await userEvent.clear(limit);
  await userEvent.type(limit, "5");
  await userEvent.click(screen.getByRole("button", { name: "Create monitor" }));
  const alert = screen.getByRole("alert");
  expect(alert).toHaveTextContent("Say when it should run");
  expect(alert).toHaveTextContent("at least 10 records");
  expect(create).not.toHaveBeenCalled();

  await userEvent.type(screen.getByRole("textbox", { name: "Channel name" }), "team");
  await userEvent.type(
    screen.getByRole("textbox", { name: "Webhook address" }),
    "http://x.example",
  );
  await userEvent.click(screen.getByRole("button", { name: "Add channel" }));
  expect(await screen.findByText("A webhook address must start with https://.")).toBeVisible();
  expect(add).not.toHaveBeenCalled();
});

test("Send test says whether the channel got it", async () => {
  const test = vi
    .spyOn(monitorsIpc, "testWebhook")
    .mockResolvedValue({ success: true, statusCode: 200, message: "ok" });
  open();
  await userEvent.click(await screen.findByRole("button", { name: "Send test to #deals" }));
  expect(test).toHaveBeenCalledWith("wh-1");
  expect(await screen.findByText("Test delivered (HTTP 200)")).toBeVisible();
});
