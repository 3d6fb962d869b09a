import { render, screen } from "@testing-library/preact";
import { LazyScreen, lazyScreen } from "./lazyScreen";

function Hello({ name }: { name: string }) {
  return <p>Hello {name}</p>;
}

test("a screen loaded ahead renders in its first pass, without a loading state", async () => {
  const load = vi.fn(async () => Hello);
  const s = lazyScreen(load);
  await s.preload();
  render(<LazyScreen screen={s} props={{ name: "Ada" }} />);
  expect(screen.getByText("Hello Ada")).toBeInTheDocument();
  expect(screen.queryByText("Loading…")).not.toBeInTheDocument();
  await s.preload();
  expect(load).toHaveBeenCalledTimes(1);
});

test("a screen not loaded yet says so, then shows up; a failed load says what to do", async () => {
  const s = lazyScreen(async () => Hello);
  render(<LazyScreen screen={s} props={{ name: "Grace" }} />);
  expect(screen.getByText("Loading…")).toBeInTheDocument();
  expect(await screen.findByText("Hello Grace")).toBeInTheDocument();

  const broken = lazyScreen<{ name: string }>(async () => {
    throw new Error("chunk missing");
  });
  render(<LazyScreen screen={broken} props={{ name: "x" }} />);
  expect(await screen.findByRole("alert")).toHaveTextContent(
    "This screen could not be loaded. Restart the app.",
  );
});
