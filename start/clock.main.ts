// Procfile `clock`: the reconciler and, later, weekly compliance duties. Run one.
import { main } from "./start.js";

await main(["clock"]);
