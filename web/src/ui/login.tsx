// The login page: address and password are exchanged for a bearer token (POST /jmap/token); the
// password is not kept.
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { JmapClient } from "../jmap/client.js";

export function Login({ onLogin }: { readonly onLogin: (client: JmapClient) => void }): JSX.Element {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLogin(await JmapClient.login(username.trim(), password));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form class="login-form" onSubmit={(event) => void submit(event)} aria-labelledby="login-title">
        <h1 id="login-title">
          <span aria-hidden="true">✉</span> Postfach
        </h1>
        <label>
          Email address
          <input
            type="email"
            name="username"
            autocomplete="username"
            required
            value={username}
            onInput={(event) => setUsername((event.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <label>
          Password
          <input
            type="password"
            name="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(event) => setPassword((event.currentTarget as HTMLInputElement).value)}
          />
        </label>
        {error !== null && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={isBusy}>
          {isBusy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
