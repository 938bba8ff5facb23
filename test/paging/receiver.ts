/**
 * A local HTTP receiver standing in for a robot or SMS gateway that has no local counterpart (WeCom,
 * DingTalk, Feishu, the contract's SMS service): it records each request exactly as sent and answers
 * what the test tells it to. Listens on port 0.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";

export interface Received {
  at: number;
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export type Answer = { status: number; body: string };

export class Receiver {
  readonly requests: Received[] = [];
  private server: Server;
  private waiters: Array<{ n: number; resolve: () => void }> = [];
  /** What to answer the next request (default 200 with the given body). */
  answer: (r: Received, index: number) => Answer;
  /** Answer this much later (a slow robot): a request counts as received when it arrives. */
  delayMs = 0;

  constructor(okBody = "{}") {
    this.answer = () => ({ status: 200, body: okBody });
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const r: Received = {
          at: Date.now(),
          method: req.method ?? "",
          url: req.url ?? "",
          headers: req.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        };
        this.requests.push(r);
        const a = this.answer(r, this.requests.length - 1);
        const reply = () => res.writeHead(a.status, { "content-type": "application/json" }).end(a.body);
        if (this.delayMs > 0) setTimeout(reply, this.delayMs);
        else reply();
        this.waiters = this.waiters.filter((w) => {
          if (this.requests.length < w.n) return true;
          w.resolve();
          return false;
        });
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  /** Resolves once `n` requests have arrived in all. */
  received(n: number, timeoutMs = 10_000): Promise<void> {
    if (this.requests.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`receiver got ${this.requests.length} of ${n} requests`)),
        timeoutMs,
      );
      this.waiters.push({
        n,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  json(i: number): Record<string, unknown> {
    return JSON.parse(this.requests[i]!.body);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}
