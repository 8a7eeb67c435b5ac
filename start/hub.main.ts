// `npm start`: the whole hub in one process — API, publish worker and clock.
import { main } from "./start.js";

await main(["web", "worker", "clock"]);
