// Procfile `clock`: the reconciler and, later, weekly compliance duties. Run one.
import { main } from "../server/start.js";

await main(["clock"]);
