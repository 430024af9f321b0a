import { test as base, expect, type APIRequestContext, type APIResponse, type Locator, type Page } from "@playwright/test";
import { baseURL } from "../playwright.config";

/** Console lines a test expects (it stopped a backend on purpose, say). */
const allowedConsole = new WeakMap<Page, RegExp[]>();

/**
 * Lets `page` log console errors matching `pattern` in this test only: a
 * spec that stops Kafka expects the 503s of the calls that then fail.
 */
export function allowConsole(page: Page, pattern: RegExp) {
  allowedConsole.set(page, [...(allowedConsole.get(page) ?? []), pattern]);
}

/**
 * A refused request logs "Failed to load resource: … status of 4xx" in
 * Chromium: the caller's mistake, which specs provoke on purpose and the
 * page shows at its field. Anything 5xx is zkmq's or a backend's failure.
 */
const refusedRequest = /^Failed to load resource: the server responded with a status of 4\d\d/;

/**
 * Playwright's `test`, failing any test whose page threw an uncaught error
 * (a Rust panic in the wasm surfaces as one), logged a console error or
 * warning (Leptos reports hydration mismatches there), or saw a 5xx: a
 * broken page must not pass just because the assertions looked elsewhere.
 */
export const test = base.extend<{ pageErrors: string[] }>({
  pageErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(`uncaught: ${e.message}`));
      page.on("console", (m) => {
        if (m.type() !== "error" && m.type() !== "warning") return;
        const text = m.text();
        if (refusedRequest.test(text)) return;
        // Chromium keeps a failed resource's address apart from the text, so a
        // pattern is matched against both, as the report below prints them.
        const line = `${text} (${m.location().url})`;
        if ((allowedConsole.get(page) ?? []).some((re) => re.test(line))) return;
        errors.push(`console ${m.type()}: ${line}`);
      });
      await use(errors);
      expect(errors, "uncaught errors, console errors and warnings in the page").toEqual([]);
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
  return execFileSync("/usr/share/zookeeper/bin/zkCli.sh", ["-server", "127.0.0.1:2181,127.0.0.1:2182,127.0.0.1:2183"], {
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

/**
 * The audit page's row for `action` (the Action cell, exactly) on `target`
 * (the Target cell: exactly when a string, matching when a RegExp). Its
 * outcome is `auditRow(…).getByTestId("outcome")` (exactly ok / error /
 * denied / pending), a failure's reason `getByTestId("outcome-error")`.
 */
export function auditRow(page: Page, action: string, target: string | RegExp): Locator {
  const targetCell =
    typeof target === "string"
      ? page.getByRole("cell", { name: target, exact: true })
      : page.getByRole("cell", { name: target });
  return page
    .getByRole("row")
    .filter({ has: page.getByRole("cell", { name: action, exact: true }) })
    .filter({ has: targetCell });
}

/** Escapes `s` for use inside a RegExp. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export interface SandboxVersions {
  /** e.g. "3.8.0", from `srvr`'s first line up to the `-`. */
  zookeeper: string;
  /** e.g. "3.9.2", the release scripts/sandbox runs. */
  kafka: string;
  /** The release line zkmq shows for Kafka, e.g. "3.9". */
  kafkaLine: string;
  /** e.g. "3.10.8", from the management API's overview. */
  rabbitmq: string;
}

let versions: SandboxVersions | undefined;

/** The versions the sandbox's servers report, read from them (once per run). */
export function sandboxVersions(): SandboxVersions {
  if (versions) return versions;
  // Any serving member answers; `-q 1` keeps nc reading after its stdin ends
  // (without it the reply can be lost and srvr reads as empty).
  let srvr = "";
  let zookeeper: string | undefined;
  for (let attempt = 0; attempt < 10 && !zookeeper; attempt++) {
    for (const port of [2181, 2182, 2183]) {
      try {
        srvr = execFileSync("sh", ["-c", `echo srvr | nc -q 1 -w 3 127.0.0.1 ${port}`], { encoding: "utf8", timeout: 10_000 });
      } catch {
        continue;
      }
      zookeeper = srvr.split("\n")[0].match(/version:\s*([^-,\s]+)/)?.[1];
      if (zookeeper) break;
    }
    if (!zookeeper) execFileSync("sleep", ["0.5"]);
  }
  const env = execFileSync(path.join(root, "scripts", "sandbox"), ["env"], { encoding: "utf8", timeout: 30_000 });
  const kafka = env.match(/^ZKMQ_KAFKA_VERSION=(.+)$/m)?.[1]?.trim();
  const overview = execFileSync(
    "curl",
    ["-sf", "-u", "guest:guest", "http://127.0.0.1:15672/api/overview"],
    { encoding: "utf8", timeout: 10_000 },
  );
  const rabbitmq: string | undefined = JSON.parse(overview).rabbitmq_version;
  if (!zookeeper || !kafka || !rabbitmq) {
    throw new Error(`cannot read the sandbox versions: srvr ${JSON.stringify(srvr)}, kafka ${kafka}, rabbitmq ${rabbitmq}`);
  }
  versions = { zookeeper, kafka, kafkaLine: kafka.split(".").slice(0, 2).join("."), rabbitmq };
  return versions;
}

/**
 * Calls a zkmq server function as its own pages do: zkmq refuses changes
 * that do not carry its own Origin (a foreign page must not drive it).
 */
export function callApi(request: APIRequestContext, name: string, form: Record<string, string>): Promise<APIResponse> {
  return request.post(`/api/${name}`, { form, headers: { Origin: baseURL } });
}

/** The sandbox RabbitMQ's management API, for seeding as a real client would. */
export const RABBIT = "http://127.0.0.1:15672/api";
export const RABBIT_AUTH = { Authorization: "Basic " + Buffer.from("guest:guest").toString("base64") };

/** Declares a durable queue on the sandbox broker (vhost "/") through its own API. */
export async function rabbitQueue(request: APIRequestContext, name: string, args: Record<string, unknown>) {
  const r = await request.put(`${RABBIT}/queues/%2F/${encodeURIComponent(name)}`, {
    headers: RABBIT_AUTH,
    data: { durable: true, auto_delete: false, arguments: args },
  });
  expect(r.ok(), await r.text()).toBe(true);
}

/**
 * A real Kafka consumer (server/examples/kafka_consume.rs, built by `cargo
 * test` next to the zkmq binary): joins `group`, reads `count` messages,
 * commits them and leaves.
 */
export function kafkaConsume(topic: string, group: string, count: number) {
  const bin = process.env.ZKMQ_BIN ?? path.join(root, "target", "debug", "zkmq");
  const example = path.join(path.dirname(bin), "examples", "kafka_consume");
  const out = execFileSync(
    example,
    ["--bootstrap", "127.0.0.1:9092", "--topic", topic, "--group", group, "--count", String(count)],
    { encoding: "utf8", timeout: 90_000 },
  );
  expect(out.trim()).toBe(`read ${count}`);
}
