import { test as base, expect, type Page } from "@playwright/test";

/**
 * Playwright's `test`, failing any test whose page threw an uncaught error
 * (a Rust panic in the wasm surfaces as one): a broken page must not pass
 * just because the assertions looked elsewhere.
 */
export const test = base.extend<{ pageErrors: string[] }>({
  pageErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await use(errors);
      expect(errors, "uncaught errors in the page").toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };
import { execFileSync, spawn } from "node:child_process";
import * as path from "node:path";

export const root = path.resolve(__dirname, "..", "..");

/** Opens a page and waits until the wasm has hydrated it (clicks before that are lost). */
export async function openHydrated(page: Page, url: string) {
  await page.goto(url);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 30_000 });
}

/** Runs the sandbox script (start/stop a real service). */
export function sandbox(...args: string[]) {
  execFileSync(path.join(root, "scripts", "sandbox"), args, { stdio: "inherit", timeout: 180_000 });
}

/** Starts the sandbox script without waiting; resolves with its exit code. */
export function sandboxAsync(...args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(root, "scripts", "sandbox"), args, { stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code) => resolve(code ?? -1));
  });
}

/**
 * Runs commands through ZooKeeper's own CLI (a real Java client, independent
 * of zkmq) against the sandbox ensemble; returns what it printed.
 */
export function zkCli(...commands: string[]): string {
  return execFileSync("/usr/share/zookeeper/bin/zkCli.sh", ["-server", "127.0.0.1:2181"], {
    input: commands.join("\n") + "\n",
    encoding: "utf8",
    timeout: 60_000,
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** A znode root unique to this run, so specs never see each other's data. */
export function uniqueRoot(prefix: string): string {
  return `/${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
}
