// The webmail's entry point: resumes this tab's session or shows the login page.
import { render } from "preact";
import "./styles.css";
import { App } from "./ui/app.js";

const root = document.getElementById("app");
if (root !== null) render(<App />, root);
