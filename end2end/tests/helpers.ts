import { expect, type Page } from "@playwright/test";
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
