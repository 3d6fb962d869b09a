export function App() {
  return (
    <main>
      <h1>CatchAll Desk</h1>
    </main>
  );
}
