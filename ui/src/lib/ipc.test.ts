import { commands } from "../bindings";
import { appInfo } from "../test/render";
import { type AppInfo, ipc } from "./ipc";

const info = appInfo({ connection: "sandbox" });

type Page = { __catchallAppInfo?: Promise<AppInfo> };

afterEach(() => {
  Reflect.deleteProperty(globalThis, "__catchallAppInfo");
  vi.restoreAllMocks();
});

test("the state asked for as the page started is used once, then asked again", async () => {
  const later = { ...info, firstRun: false };
  const ask = vi.spyOn(commands, "appInfo").mockResolvedValue(later);
  (globalThis as Page).__catchallAppInfo = Promise.resolve(info);
  expect(await ipc.appInfo()).toEqual(info);
  expect(ask).not.toHaveBeenCalled();
  expect(await ipc.appInfo()).toEqual(later);
  expect(ask).toHaveBeenCalledTimes(1);
});

test("an early ask that failed is asked again; without one, the app is asked", async () => {
  const ask = vi.spyOn(commands, "appInfo").mockResolvedValue(info);
  (globalThis as Page).__catchallAppInfo = Promise.reject(new Error("not ready"));
  expect(await ipc.appInfo()).toEqual(info);
  expect(ask).toHaveBeenCalledTimes(1);
  ask.mockRejectedValueOnce({ kind: "internal", message: "The store is closed." });
  await expect(ipc.appInfo()).rejects.toMatchObject({
    kind: "internal",
    message: "The store is closed.",
  });
});
