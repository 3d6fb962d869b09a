import { describeError, errorTitle } from "./errors";
import { AppError, toAppError } from "./ipc";

test("error kinds become plain titles, keeping the engine's message", () => {
  expect(describeError({ kind: "bad_key", message: "The key was refused." })).toEqual({
    kind: "bad_key",
    title: "Your API key was not accepted",
    message: "The key was refused.",
  });
  expect(errorTitle("offline")).toBe("No connection");
  expect(errorTitle("busy")).toBe("All job slots are busy");
});

test("anything thrown becomes an AppError", () => {
  expect(toAppError("command not found")).toEqual(new AppError("internal", "command not found"));
  const e = toAppError({ kind: "timeout", message: "No answer in 30 s." });
  expect(e.kind).toBe("timeout");
  expect(e.message).toBe("No answer in 30 s.");
  expect(describeError(new Error("boom")).title).toBe("Something went wrong");
});
