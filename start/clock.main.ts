// Procfile `clock`: the reconciler, the weekly compliance close, reminders and token refresh, on their crons.
import { main } from "./start.js";

await main(["clock"]);
