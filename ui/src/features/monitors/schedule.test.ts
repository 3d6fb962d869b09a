import { monitorProblems, nextRun, webhookUrlProblem } from "./schedule";

test("plain problems before anything is sent", () => {
  expect(monitorProblems(" ", null, 0)).toEqual([
    'Say when it should run, for example "every weekday at 9am".',
  ]);
  expect(monitorProblems("every day", 5, 0)).toEqual(["A run must ask for at least 10 records."]);
  expect(monitorProblems("every day", 10, 6)).toEqual(["Choose at most 5 team channels."]);
  expect(monitorProblems("every day", 50, 5)).toEqual([]);
  expect(webhookUrlProblem("http://hooks.example.com/x")).toMatch(/https/);
  expect(webhookUrlProblem("https://10.1.2.3/x")).toMatch(/IP address/);
  expect(webhookUrlProblem("https://hooks.slack.com/services/T/B/x")).toBeNull();
});

test("the next run follows the cron in the monitor's zone", () => {
  // Friday 2026-01-02 15:00 UTC is 10:00 in New York: the next weekday 9:00 is Monday.
  const fri = new Date("2026-01-02T15:00:00Z");
  expect(nextRun("0 9 * * 1-5", "America/New_York", fri)?.toISOString()).toBe(
    "2026-01-05T14:00:00.000Z",
  );
  expect(nextRun("30 18 * * *", "UTC", fri)?.toISOString()).toBe("2026-01-02T18:30:00.000Z");
  expect(nextRun("0 * * * *", "UTC", fri)?.toISOString()).toBe("2026-01-02T16:00:00.000Z");
  expect(nextRun("0 9 1 * *", "UTC", fri)).toBeNull();
  expect(nextRun(null, "UTC", fri)).toBeNull();
});
