import { defineConfig } from "@playwright/test";
import * as path from "node:path";

// The console under test: the binary cargo-leptos built, serving the sandbox
// config with its own throw-away audit database.
const root = path.resolve(__dirname, "..");
const bin = process.env.ZKMQ_BIN ?? path.join(root, "target", "debug", "zkmq");
const port = process.env.ZKMQ_E2E_PORT ?? "3100";
export const baseURL = `http://127.0.0.1:${port}`;
const db = process.env.ZKMQ_E2E_DB ?? path.join(root, "target", "e2e", `zkmq-e2e-${Date.now()}.db`);
/** The first-start admin of the console under test (ZKMQ_ADMIN_PASSWORD). */
export const admin = { name: "admin", password: "admin password for e2e" };
/** The admin's signed-in browser state, written by login.setup.ts. */
export const adminState = path.join(root, "target", "e2e", "admin-state.json");

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // A stray test.only must not shrink CI to one test (.ci/run exports CI=true);
  // locally it stays usable for debugging.
  forbidOnly: !!process.env.CI,
  // Specs stop and start real services: one at a time.
  workers: 1,
  fullyParallel: false,
  reporter: [["list"]],
  // login.setup.ts logs in once through the login page; every spec then
  // starts signed in as the admin (one shared helper, as the rules ask).
  projects: [
    { name: "setup", testMatch: /.*\.setup\.ts/ },
    {
      name: "chromium",
      dependencies: ["setup"],
      testIgnore: /.*\.setup\.ts/,
      use: { storageState: adminState },
    },
  ],
  use: {
    baseURL,
    browserName: "chromium",
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    // ZKMQ_E2E_CONFIG: another config (the benchmarks pin ZooKeeper to one member).
    command: `"${bin}" serve --config "${process.env.ZKMQ_E2E_CONFIG ?? "config/zkmq.toml"}" --database "${db}" --bind 127.0.0.1:${port}`,
    cwd: root,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? path.join(root, "target", "site"),
      LEPTOS_OUTPUT_NAME: "zkmq",
      ZKMQ_LOG: "info,rdkafka=error",
      ZKMQ_ADMIN_PASSWORD: admin.password,
    },
  },
});
