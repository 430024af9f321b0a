import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { type APIRequestContext, type Page } from "@playwright/test";
import { callApi, expect, openHydrated, RABBIT, RABBIT_AUTH, root, test, uniqueRoot } from "./helpers";

/**
 * Every paged list goes to page 2 and back: the rows change, the pager says
 * where it is, and its buttons are enabled exactly when there is somewhere to
 * go. (A pager once stayed disabled on page 1 of 2 with its own source as its
 * label, and no test noticed.)
 */

const pad = (i: number) => String(i).padStart(3, "0");

/** Page 1 → page 2 → page 1 of a list whose rows are `${prefix}${pad(i)}`, i < total. */
async function pageThrough(page: Page, list: string, total: number, rowName: (i: number) => string) {
  const pager = page.getByRole("navigation", { name: `${list} pages` });
  const prev = pager.getByRole("button", { name: "Previous page" });
  const next = pager.getByRole("button", { name: "Next page" });
  await expect(pager).toContainText(`1–100 of ${total}`);
  await expect(page.getByRole("row", { name: rowName(0), exact: true })).toBeVisible();
  await expect(prev).toBeDisabled();
  await expect(next).toBeEnabled();
  await next.click();
  await expect(pager).toContainText(`101–${total} of ${total}`);
  // The page and the filter are in the URL: a reload (or a shared link) keeps them.
  await page.reload();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 30_000 });
  await expect(pager).toContainText(`101–${total} of ${total}`);
  await expect(page.getByRole("row", { name: rowName(100), exact: true })).toBeVisible();
  await expect(page.getByRole("row", { name: rowName(0), exact: true })).toHaveCount(0);
  await expect(next).toBeDisabled();
  await expect(prev).toBeEnabled();
  await prev.click();
  await expect(pager).toContainText(`1–100 of ${total}`);
  await expect(page.getByRole("row", { name: rowName(0), exact: true })).toBeVisible();
}

async function api(request: APIRequestContext, name: string, form: Record<string, string>) {
  const r = await callApi(request, name, form);
  expect(r.status(), `${name}: ${await r.text()}`).toBe(200);
}

test.describe("Paging", () => {
  test("RabbitMQ queues: 130 queues, page 2 and back", async ({ page, request }) => {
    const prefix = `zkmq-e2e-page-${Date.now()}-`;
    const names = Array.from({ length: 130 }, (_, i) => `${prefix}${pad(i)}`);
    for (const n of names) {
      const r = await request.put(`${RABBIT}/queues/%2F/${encodeURIComponent(n)}`, {
        headers: RABBIT_AUTH,
        data: { durable: false, auto_delete: false, arguments: {} },
      });
      expect(r.ok(), await r.text()).toBe(true);
    }
    try {
      await openHydrated(page, "/rabbitmq/local/queues");
      await page.getByLabel("Filter by name").fill(prefix);
      await pageThrough(page, "Queues", 130, (i) => names[i]);
      await expect(page.getByRole("status", { name: "Queue count" })).toContainText("page 1 of 2");
    } finally {
      for (const n of names) {
        await request.delete(`${RABBIT}/queues/%2F/${encodeURIComponent(n)}`, { headers: RABBIT_AUTH });
      }
    }
  });

  test("znode children and the audit log: 130 znodes, page 2 and back", async ({ page, request }) => {
    const base = uniqueRoot("zkmq-e2e-page");
    await api(request, "create_znode", { cluster: "local", path: base, data: "", encoding: "text", kind: "persistent" });
    const child = (i: number) => `c${pad(i)}`;
    for (let i = 0; i < 130; i++) {
      await api(request, "create_znode", {
        cluster: "local",
        path: `${base}/${child(i)}`,
        data: String(i),
        encoding: "text",
        kind: "persistent",
      });
    }
    await openHydrated(page, `/zookeeper/local${base}`);
    const level = page.getByRole("group", { name: `Children of ${base}` });
    const pager = page.getByRole("navigation", { name: `Children of ${base} pages` });
    await expect(pager).toContainText("1–100 of 130");
    await expect(level.getByRole("treeitem", { name: child(0), exact: true })).toBeVisible();
    await expect(pager.getByRole("button", { name: "Previous page" })).toBeDisabled();
    await expect(pager.getByRole("button", { name: "Next page" })).toBeEnabled();
    await pager.getByRole("button", { name: "Next page" }).click();
    await expect(pager).toContainText("101–130 of 130");
    await expect(level.getByRole("treeitem", { name: child(129), exact: true })).toBeVisible();
    await expect(level.getByRole("treeitem", { name: child(0), exact: true })).toHaveCount(0);
    await expect(pager.getByRole("button", { name: "Next page" })).toBeDisabled();
    await pager.getByRole("button", { name: "Previous page" }).click();
    await expect(pager).toContainText("1–100 of 130");
    await expect(level.getByRole("treeitem", { name: child(0), exact: true })).toBeVisible();

    // 131 audited creations: the newest 100 on the first page, the rest further on.
    await openHydrated(page, "/audit");
    const nav = page.getByRole("navigation", { name: "Audit log pages" });
    const newest = page.getByRole("row").filter({ hasText: `${base}/${child(129)}` });
    await expect(newest).toHaveCount(1);
    await nav.getByRole("link", { name: "Older records" }).click();
    await expect(page).toHaveURL(/\/audit\?before=\d+$/);
    await expect(page.getByRole("row").filter({ hasText: `${base}/${child(129)}` })).toHaveCount(0);
    await expect(page.getByRole("row").filter({ hasText: `${base}/${child(0)}` })).toHaveCount(1);
    await nav.getByRole("link", { name: "Newest records" }).click();
    await expect(page).toHaveURL(/\/audit$/);
    await expect(newest).toHaveCount(1);

    await api(request, "delete_subtree", { cluster: "local", path: base, confirm: base });
  });

  test("Kafka topics and consumer groups: 101 of each, page 2 and back", async ({ page, request }) => {
    test.setTimeout(180_000);
    const prefix = `zkmq-e2e-page-${Date.now()}-`;
    const topic = (i: number) => `${prefix}${pad(i)}`;
    for (let i = 0; i < 101; i++) {
      await api(request, "create_topic", {
        cluster: "local",
        name: topic(i),
        partitions: "1",
        replication: "1",
        configs: "",
        preview: "false",
      });
    }
    // 101 groups, each with a committed offset on the first topic (a real client commits them).
    const bin = process.env.ZKMQ_BIN ?? path.join(root, "target", "debug", "zkmq");
    const example = path.join(path.dirname(bin), "examples", "kafka_consume");
    const out = execFileSync(
      example,
      ["--bootstrap", "127.0.0.1:9092", "--topic", topic(0), "--group", `${prefix}g`, "--groups", "101"],
      { encoding: "utf8", timeout: 120_000 },
    );
    expect(out.trim()).toBe("committed 101 groups");
    try {
      await openHydrated(page, "/kafka/local/topics");
      await page.getByLabel("Filter by name").fill(prefix);
      await pageThrough(page, "Topics", 101, topic);

      await openHydrated(page, "/kafka/local/groups");
      await page.getByLabel("Filter by name").fill(`${prefix}g-`);
      await pageThrough(page, "Consumer groups", 101, (i) => `${prefix}g-${pad(i)}`);
    } finally {
      for (let i = 0; i < 101; i++) {
        await callApi(request, "delete_topic", { cluster: "local", topic: topic(i), confirm: topic(i) });
      }
    }
  });
});
