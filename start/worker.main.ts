// Procfile `worker`: publish and media jobs; run as many as needed against the same Redis and PostgreSQL.
import { main } from "./start.js";

await main(["worker"]);
