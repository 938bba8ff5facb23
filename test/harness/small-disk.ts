import { execFileSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./process.ts";

/**
 * A small filesystem of its own (tmpfs) to fill up: a real full disk, not a mock. Mounting needs root
 * (CI runs the tests as root); `smallDiskMissing()` says why a suite cannot have one, for peer-gate.
 */
export class SmallDisk {
  private mounted = false;

  constructor(
    readonly dir: string,
    private readonly size = "8m",
  ) {}

  mount(): this {
    mkdirSync(this.dir, { recursive: true });
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${this.size}`, "tmpfs", this.dir], { stdio: "pipe" });
    this.mounted = true;
    return this;
  }

  private get filler(): string {
    return join(this.dir, ".filler");
  }

  /** Writes a file until the filesystem refuses (ENOSPC): not one more page fits. */
  fill(): void {
    const fd = openSync(this.filler, "a");
    try {
      for (const chunk of [1 << 20, 1 << 12, 1]) {
        const buf = Buffer.alloc(chunk);
        for (;;) {
          try {
            writeSync(fd, buf);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === "ENOSPC") break;
            throw err;
          }
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Room again: the filler is deleted. */
  free(): void {
    rmSync(this.filler, { force: true });
  }

  unmount(): void {
    if (!this.mounted) return;
    // Lazily: a process still holding a file there (one that failed to stop) must not fail the suite.
    execFileSync("umount", ["-l", this.dir], { stdio: "pipe" });
    this.mounted = false;
  }
}

/** Why this machine cannot mount a small tmpfs (not root, no mount), else undefined. */
export function smallDiskMissing(): string | undefined {
  const probe = new SmallDisk(join(tempDir("wf-tmpfs-probe-"), "mnt"), "64k");
  try {
    probe.mount();
    probe.unmount();
    return undefined;
  } catch (err) {
    return `cannot mount a tmpfs to fill (mount -t tmpfs needs root: run the tests as root, as CI does): ${(err as Error).message.split("\n")[0]}`;
  }
}
