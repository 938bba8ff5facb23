import { describe, expect, it } from "vitest";
import { alertToCommand } from "./alertmanager.ts";

const alert = {
  status: "firing" as const,
  labels: {
    alertname: "LinkDown",
    instance: "gw-1:9100",
    job: "node",
    severity: "critical",
    class: "major",
    ifname: "ge0",
  },
  annotations: { summary: "外网链路中断" },
  startsAt: "2026-11-25T01:00:00Z",
  endsAt: "0001-01-01T00:00:00Z",
  fingerprint: "abc123",
};

describe("Alertmanager alert → condition command", () => {
  it("a firing alert opens alert.<alertname> on the instance, dated when the rule first fired", () => {
    expect(alertToCommand(alert)).toEqual({
      ok: true,
      command: {
        type: "condition",
        eventId: `am-abc123-firing-${Date.parse("2026-11-25T01:00:00Z")}`,
        at: Date.parse("2026-11-25T01:00:00Z"),
        device: "gw-1:9100",
        condition: "alert.LinkDown",
        labels: { ifname: "ge0" },
        state: "firing",
        classHint: "major",
        title: "外网链路中断",
      },
    });
  });

  it("a resolved alert clears the same fault at endsAt, under another event id", () => {
    const res = alertToCommand({
      ...alert,
      status: "resolved",
      labels: { ...alert.labels, device: "gw-1" },
      endsAt: "2026-11-25T01:07:00Z",
    });
    expect(res.ok && res.command).toMatchObject({
      state: "clear",
      at: Date.parse("2026-11-25T01:07:00Z"),
      device: "gw-1",
      eventId: expect.stringContaining("-resolved-"),
    });
  });

  it("an alert without alertname is rejected with a reason", () => {
    expect(alertToCommand({ ...alert, labels: { instance: "x" } })).toEqual({
      ok: false,
      fingerprint: "abc123",
      reason: "alert has no alertname label",
    });
  });
});
