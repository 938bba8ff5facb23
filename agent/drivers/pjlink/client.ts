import { connect } from "node:net";
import {
  type Answer,
  authDigest,
  command,
  inputNumber,
  parseAnswer,
  parseErrorStatus,
  parseGreeting,
  parseLamps,
  parseResolution,
} from "./protocol.ts";

/** What one display (a tile) said in one poll. Fields it could not give (ERR3 in standby) are absent. */
export type TileStatus =
  | {
      ok: true;
      cls: 1 | 2;
      power?: number;
      errors?: ReturnType<typeof parseErrorStatus>;
      lamps?: { hours: number; on: boolean }[];
      input?: number;
      info: { name?: string; manufacturer?: string; model?: string; serial?: string; software?: string };
      filterHours?: number;
      resolution?: { width: number; height: number };
    }
  | { ok: false; error: string };

/** host or host:port (IPv6 in brackets); PJLink's port is 4352. */
export function tileTarget(address: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?(?::(\d{1,5}))?$/.exec(address);
  if (!m) throw new Error(`address ${JSON.stringify(address)}: expected host or host:port`);
  return { host: m[1]!, port: m[2] ? Number(m[2]) : 4352 };
}

/** A CR-terminated line reader over one connection, with one deadline for the whole exchange. */
function lineChannel(host: string, port: number, deadline: number) {
  const socket = connect({ host, port });
  let buf = "";
  let failure: string | undefined;
  const waiting: Array<(line: string | Error) => void> = [];
  const lines: string[] = [];
  const fail = (why: string) => {
    failure ??= why;
    for (const w of waiting.splice(0)) w(new Error(failure));
    socket.destroy();
  };
  const timer = setTimeout(() => fail("no answer in time"), Math.max(1, deadline - Date.now()));
  socket.on("data", (chunk) => {
    buf += chunk.toString("latin1");
    for (let i = buf.indexOf("\r"); i >= 0; i = buf.indexOf("\r")) {
      const line = buf.slice(0, i).replace(/^\n/, "");
      buf = buf.slice(i + 1);
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    }
    if (buf.length > 1024) fail("answer line too long (not PJLink)");
  });
  socket.on("error", (err) => fail((err as NodeJS.ErrnoException).code ?? err.message));
  socket.on("close", () => fail("connection closed"));
  return {
    next: () =>
      new Promise<string>((resolve, reject) => {
        if (lines.length) return resolve(lines.shift()!);
        if (failure) return reject(new Error(failure));
        waiting.push((l) => (l instanceof Error ? reject(l) : resolve(l)));
      }),
    send: (text: string) => socket.write(text, "latin1"),
    close: () => {
      clearTimeout(timer);
      socket.destroy();
    },
  };
}

/**
 * Asks one display everything the PJLink class it reports (CLSS) offers, on one connection: class 1
 * power, error status, lamps, input, name, manufacturer, model; class 2 also serial number, software
 * version, filter hours and input resolution.
 */
export async function queryTile(address: string, password: string | undefined, timeoutMs: number): Promise<TileStatus> {
  const { host, port } = tileTarget(address);
  const ch = lineChannel(host, port, Date.now() + timeoutMs);
  try {
    const greeting = parseGreeting(await ch.next());
    if ("error" in greeting) return { ok: false, error: greeting.error };
    let prefix = "";
    if (greeting.auth) {
      if (password === undefined) return { ok: false, error: "the display asks for a password (PJLINK 1) and none is configured" };
      prefix = authDigest(greeting.random, password);
    }
    const ask = async (cls: 1 | 2, cmd: string): Promise<Answer> => {
      ch.send(prefix + command(cls, cmd));
      prefix = "";
      return parseAnswer((await ch.next()).trim(), cls, cmd);
    };
    const clss = await ask(1, "CLSS");
    if (!clss.ok) return { ok: false, error: clss.error };
    const cls: 1 | 2 = clss.value.trim() === "2" ? 2 : 1;
    const value = async (c: 1 | 2, cmd: string) => {
      const a = await ask(c, cmd);
      return a.ok ? a.value : undefined;
    };
    const power = await value(1, "POWR");
    const erst = await value(1, "ERST");
    const lamp = await value(1, "LAMP");
    const inpt = await value(1, "INPT");
    const info: Extract<TileStatus, { ok: true }>["info"] = { name: await value(1, "NAME"), manufacturer: await value(1, "INF1"), model: await value(1, "INF2") };
    const status: TileStatus = {
      ok: true,
      cls,
      info,
      ...(power !== undefined && /^[0-3]$/.test(power) ? { power: Number(power) } : {}),
      ...(erst !== undefined && parseErrorStatus(erst) ? { errors: parseErrorStatus(erst) } : {}),
      ...(lamp !== undefined && parseLamps(lamp) ? { lamps: parseLamps(lamp) } : {}),
      ...(inpt !== undefined && inputNumber(inpt) !== undefined ? { input: inputNumber(inpt) } : {}),
    };
    if (cls === 2) {
      info.serial = await value(2, "SNUM");
      info.software = await value(2, "SVER");
      const filt = await value(2, "FILT");
      if (filt !== undefined && /^\d+$/.test(filt)) status.filterHours = Number(filt);
      const ires = await value(2, "IRES");
      const res = ires !== undefined ? parseResolution(ires) : undefined;
      if (res) status.resolution = res;
    }
    return status;
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  } finally {
    ch.close();
  }
}
