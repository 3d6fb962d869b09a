import { screen, waitFor } from "@testing-library/preact";
import userEvent from "@testing-library/user-event";
import { AppError, ipc, type KeyStatus } from "../../lib/ipc";
import { noKey, renderApp } from "../../test/render";
import { KeyForm } from "./KeyForm";
import { KeyPanel } from "./KeyPanel";

const saved: KeyStatus = { ...noKey, stored: true, last4: "abcd" };

afterEach(() => vi.restoreAllMocks());

test("the key is sent once and cleared from the form after saving", async () => {
  const save = vi.spyOn(ipc, "saveApiKey").mockResolvedValue(saved);
  const onSaved = vi.fn();
  renderApp(<KeyForm status={noKey} onSaved={onSaved} />);
  const input = screen.getByLabelText("API key");
  await userEvent.type(input, "sk-live-1234abcd");
  await userEvent.click(screen.getByRole("button", { name: "Check and save key" }));
  await waitFor(() => expect(onSaved).toHaveBeenCalledWith(saved));
  expect(save).toHaveBeenCalledWith("sk-live-1234abcd", true);
  expect(input).toHaveValue("");
  expect(document.body.innerHTML).not.toContain("sk-live-1234abcd");
});

test("a refused key shows the reason and keeps the typed key for another try", async () => {
  vi.spyOn(ipc, "saveApiKey").mockRejectedValue(new AppError("bad_key", "The service refused it."));
  renderApp(<KeyForm status={noKey} onSaved={vi.fn()} />);
  await userEvent.type(screen.getByLabelText("API key"), "wrong");
  await userEvent.click(screen.getByRole("button", { name: "Check and save key" }));
  expect(await screen.findByRole("alert")).toHaveTextContent("Your API key was not accepted");
  expect(screen.getByRole("alert")).toHaveTextContent("The service refused it.");
});

test("without a keyring the message is shown and the key can be used for this session", async () => {
  const save = vi.spyOn(ipc, "saveApiKey").mockResolvedValue({ ...saved, sessionOnly: true });
  renderApp(
    <KeyForm
      status={{ ...noKey, keyringAvailable: false, keyringMessage: "Install gnome-keyring." }}
      onSaved={vi.fn()}
    />,
  );
  expect(screen.getByText("Install gnome-keyring.")).toBeInTheDocument();
  await userEvent.type(screen.getByLabelText("API key"), "sk-1234");
  await userEvent.click(screen.getByRole("button", { name: "Use for this session only" }));
  await waitFor(() => expect(save).toHaveBeenCalledWith("sk-1234", false));
});

test("a stored key shows only its last four characters, with replace and remove", async () => {
  const remove = vi.spyOn(ipc, "removeApiKey").mockResolvedValue(noKey);
  vi.spyOn(ipc, "appInfo").mockResolvedValue({} as never);
  renderApp(
    <KeyPanel
      info={{
        version: "0.1.0",
        connection: "live",
        baseUrl: "https://example.test",
        key: saved,
        dataDir: "/tmp",
        devBuild: false,
        firstRun: false,
      }}
    />,
  );
  expect(screen.getByText(/Key ending/)).toHaveTextContent("Key ending …abcd");
  expect(screen.queryByLabelText("API key")).not.toBeInTheDocument();
  await userEvent.click(screen.getByRole("button", { name: "Replace key" }));
  expect(screen.getByLabelText("API key")).toHaveValue("");
  await userEvent.click(screen.getByRole("button", { name: "Cancel" }));
  await userEvent.click(screen.getByRole("button", { name: "Remove key" }));
  expect(remove).toHaveBeenCalled();
});
