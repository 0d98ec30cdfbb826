// Login or mail: the app holds the JMAP client of the logged-in user (null: the login page).
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { JmapClient } from "../jmap/client.js";
import { Login } from "./login.js";
import { MailView } from "./mail-view.js";

export function App(): JSX.Element {
  const [client, setClient] = useState<JmapClient | null | undefined>(undefined);
  useEffect(() => {
    void JmapClient.resume().then(setClient);
  }, []);
  if (client === undefined) return <p class="starting">Loading…</p>;
  if (client === null) return <Login onLogin={setClient} />;
  return (
    <MailView
      client={client}
      onLogout={() => {
        void client.logout();
        setClient(null);
      }}
    />
  );
}
