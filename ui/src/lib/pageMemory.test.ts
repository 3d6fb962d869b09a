import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { RELEASE_AFTER_MS, releaseWhenIdle } from "./pageMemory";

const release = vi.fn();
beforeEach(() => {
  vi.useFakeTimers();
  (globalThis as { __catchallReleaseMemory?: () => void }).__catchallReleaseMemory = release;
});
afterEach(() => {
  vi.useRealTimers();
  release.mockReset();
  Reflect.deleteProperty(globalThis, "__catchallReleaseMemory");
});

test("collects once, after a burst of calls has been quiet for a while", () => {
  for (let i = 0; i < 50; i++) {
    releaseWhenIdle();
    vi.advanceTimersByTime(100);
  }
  expect(release).not.toHaveBeenCalled();
  vi.advanceTimersByTime(RELEASE_AFTER_MS - 100);
  expect(release).toHaveBeenCalledTimes(1);
  vi.advanceTimersByTime(RELEASE_AFTER_MS * 3);
  expect(release).toHaveBeenCalledTimes(1);
});

test("does nothing where the app's web extension is missing", () => {
  Reflect.deleteProperty(globalThis, "__catchallReleaseMemory");
  releaseWhenIdle();
  expect(() => vi.advanceTimersByTime(RELEASE_AFTER_MS)).not.toThrow();
  expect(release).not.toHaveBeenCalled();
});
