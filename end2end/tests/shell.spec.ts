import { test, expect, escapeRegExp, openHydrated, sandboxVersions } from "./helpers";

test.describe("App shell", () => {
  test("navigation reaches every section and deep links render on their own", async ({ page }) => {
    await openHydrated(page, "/");
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "ZooKeeper" }).click();
    await expect(page).toHaveURL(/\/zookeeper$/);
    await page.getByRole("link", { name: "Sandbox ensemble" }).click();
    await expect(page).toHaveURL(/\/zookeeper\/local$/);
    await expect(page.getByRole("tree", { name: "Znodes" })).toBeVisible();
    await page.getByRole("link", { name: "Ensemble", exact: true }).click();
    await expect(page).toHaveURL(/\/ensemble\/local$/);
    await expect(page.getByRole("heading", { name: "Sandbox ensemble" })).toBeVisible();
    // Exactly one leader among three members.
    await expect(page.getByLabel("Role").filter({ hasText: /^leader$/ })).toHaveCount(1);
    await expect(page.getByLabel("Role").filter({ hasText: /^follower$/ })).toHaveCount(2);

    const rabbitVersion = new RegExp(`RabbitMQ version\\s*${escapeRegExp(sandboxVersions().rabbitmq)}`);
    for (const [url, heading, text] of [
      ["/kafka/local", "Sandbox Kafka", /Brokers\s*3/],
      ["/rabbitmq/local", "Sandbox RabbitMQ", rabbitVersion],
    ] as const) {
      await page.goto(url); // server-rendered deep link
      await expect(page.getByRole("heading", { name: heading })).toBeVisible();
      await expect(page.locator("main")).toContainText(text);
    }
    // The audit log: its table (other specs may have made changes already in
    // this run's fresh database) or, before any change, the empty-state sentence.
    await page.goto("/audit");
    await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
    const table = page.getByRole("table", { name: "Audited changes, newest first" });
    await expect(
      table.getByRole("columnheader", { name: "Outcome", exact: true }).or(page.getByText("No changes have been made through zkmq yet.")),
    ).toBeVisible();
    if (await table.count()) {
      await expect(table.getByRole("row").nth(1).getByTestId("outcome")).toHaveText(/^(ok|error|denied|pending)$/);
    }
  });

  test("the cluster picker jumps to a cluster", async ({ page }) => {
    await openHydrated(page, "/");
    const picker = page.getByLabel("Cluster");
    await expect(picker.locator("option")).toHaveCount(4);
    await picker.selectOption({ label: "Sandbox Kafka" });
    await expect(page).toHaveURL(/\/kafka\/local$/);
    await expect(page.getByRole("heading", { name: "Sandbox Kafka" })).toBeVisible();
  });

  test("an unknown cluster id gives a clear error, an unknown page a 404", async ({ page }) => {
    await page.goto("/kafka/nope");
    await expect(page.getByRole("alert")).toContainText('no Kafka cluster with id "nope" is configured');
    const resp = await page.goto("/no/such/page");
    expect(resp?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  });

  test("the theme switch toggles dark mode and remembers it", async ({ page }) => {
    await openHydrated(page, "/");
    const html = page.locator("html");
    const toggle = page.getByRole("button", { name: "Dark theme" });
    const wasDark = (await html.getAttribute("class"))?.includes("dark") ?? false;
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-pressed", String(!wasDark));
    if (wasDark) await expect(html).not.toHaveClass(/dark/);
    else await expect(html).toHaveClass(/dark/);
    await page.reload();
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 30_000 });
    if (wasDark) await expect(html).not.toHaveClass(/dark/);
    else await expect(html).toHaveClass(/dark/);
    // The server renders the choice as well (from its cookie): a dark page
    // and a pressed switch before any script runs, for both choices.
    for (const dark of [!wasDark, wasDark]) {
      const served = await (await page.request.get("/")).text();
      expect(served).toMatch(new RegExp(`<html lang="en" class="${dark ? "dark" : ""}">`));
      expect(served).toMatch(new RegExp(`<button[^>]*aria-pressed="${dark}"[^>]*>(<[^>]+>)*[^<]*(<[^>]+>)*Dark theme`));
      await toggle.click();
      await expect(toggle).toHaveAttribute("aria-pressed", String(!dark));
    }
  });

  test("health and metrics endpoints answer", async ({ request }) => {
    const h = await request.get("/healthz");
    expect(h.status()).toBe(200);
    expect(await h.json()).toEqual({ status: "ok" });
    const m = await request.get("/metrics");
    expect(m.status()).toBe(200);
    const text = await m.text();
    expect(text).toMatch(/^# TYPE zkmq_cluster_up gauge$/m);
    expect(text).toMatch(/^zkmq_cluster_up\{backend="zookeeper",cluster="local"\} 1$/m);
    expect(text).toMatch(/^zkmq_audit_records\{outcome="ok"\} \d+$/m);
    // Its own memory, in bytes: more than 1 MiB and less than 1 GiB for a fresh console.
    const rss = Number(text.match(/^process_resident_memory_bytes (\d+)$/m)?.[1]);
    expect(rss).toBeGreaterThan(1 << 20);
    expect(rss).toBeLessThan(1 << 30);
  });
});
