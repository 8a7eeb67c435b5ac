// Procfile `web`: the API alone.
import { main } from "./start.js";

await main(["web"]);
