// The local SMSC of the SMS benchmark, in a process of its own: the peak RSS the benchmark reports is
// then Loa's (API, campaign worker, database client), not the stub's, which keeps every message it got.
import { startSmscStub } from "../stubs/smsc.stub.js";

const smsc = await startSmscStub({ systemId: "sokhcn", receiptDelayMs: Number(process.env.RECEIPT_DELAY_MS ?? 200) });
const send = (m: unknown) => process.send?.(m);
send({ type: "ready", port: smsc.port });
process.on("message", async (m: { type: string; from?: number }) => {
  if (m.type === "submits") {
    // How many submit_sm arrived since `from`, and when the first and the last of them came.
    const times = smsc.times.slice(m.from ?? 0);
    send({
      type: "submits",
      count: times.length,
      total: smsc.times.length,
      first: times[0] ?? 0,
      last: times.at(-1) ?? 0,
      errors: smsc.errors.slice(0, 5),
    });
  } else if (m.type === "stop") {
    await smsc.stop();
    process.exit(0);
  }
});
