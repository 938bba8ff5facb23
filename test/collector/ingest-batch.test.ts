import { describe, expect, it } from "vitest";
import { AGENT_TOKEN, testCollector } from "./harness.ts";

const at = (min: number) => new Date(Date.parse("2026-11-25T08:00:00+08:00") + min * 60_000).toISOString();

function condition(id: string, device: string, state: "firing" | "clear", min: number) {
  return { id, type: "condition", device, condition: "ups.on_battery", state, observedAt: at(min) };
}

async function post(h: Awaited<ReturnType<typeof testCollector>>, events: unknown[]) {
  return h.app.inject({
    method: "POST",
    url: "/api/v1/events",
    headers: { authorization: `Bearer ${AGENT_TOKEN}` },
    payload: { agent: "agent-1", events },
  });
}

describe("ingest: one agent batch is one transaction, acknowledged after it commits", () => {
  it("a batch that fails half-way leaves nothing behind; the agent's resend then applies all of it", async () => {
    const h = await testCollector();
    // A real SQLite failure on the batch's third event (as a full disk would raise), not a mock.
    h.store.sqlite!.exec(
      "CREATE TRIGGER refuse BEFORE INSERT ON events WHEN NEW.id = 'evt-boom-3' BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    );
    const batch = [
      condition("evt-ups1-1", "ups-1", "firing", 0),
      condition("evt-ups2-2", "ups-2", "firing", 1),
      condition("evt-boom-3", "ups-3", "firing", 2),
    ];
    const refused = await post(h, batch);
    expect(refused.statusCode).toBe(500);
    expect(h.store.sqlite!.prepare("SELECT COUNT(*) AS n FROM events").get()).toEqual({ n: 0 });
    expect((await h.call("GET", "/api/v1/faults", h.tokens.admin)).body.faults).toEqual([]);
    expect(await h.store.audit()).toEqual([]);

    h.store.sqlite!.exec("DROP TRIGGER refuse");
    const resent = await post(h, batch);
    expect(resent.statusCode).toBe(200);
    expect(resent.json()).toEqual({ accepted: 3, duplicates: 0 });
    const faults = (await h.call("GET", "/api/v1/faults", h.tokens.admin)).body.faults as Array<{ device: string }>;
    expect(faults.map((f) => f.device).sort()).toEqual(["ups-1", "ups-2", "ups-3"]);
    // Redelivered whole (the reply was lost): acknowledged, nothing changes.
    expect((await post(h, batch)).json()).toEqual({ accepted: 0, duplicates: 3 });
    expect((await h.store.audit()).filter((e) => e.action === "fault.open")).toHaveLength(3);
    await h.app.close();
  });

  it("events of one batch that repeat an id inside the batch count once", async () => {
    const h = await testCollector();
    const e = condition("evt-ups1-1", "ups-1", "firing", 0);
    expect((await post(h, [e, e])).json()).toEqual({ accepted: 1, duplicates: 1 });
    await h.app.close();
  });
});
