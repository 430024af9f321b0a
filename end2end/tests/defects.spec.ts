import { type Page } from "@playwright/test";
import { allowConsole, callApi, expect, openHydrated, RABBIT, RABBIT_AUTH, rabbitQueue, test, uniqueRoot, zkCli } from "./helpers";

/**
 * Defects found by trying every page as a user would (issue 13), each seen
 * where a user sees it. The shared fixture also fails any of these tests on a
 * console error or hydration warning.
 */

/** Server-function calls the page makes from now on, by name. */
function recordCalls(page: Page): { name: string; body: string }[] {
  const calls: { name: string; body: string }[] = [];
  page.on("request", (r) => {
    const m = r.url().match(/\/api\/([a-z_]+)/);
    if (m) calls.push({ name: m[1], body: r.postData() ?? "" });
  });
  return calls;
}

test.describe("Issue 13 defects", () => {
  test("a stream queue page loads, reloads and leaves cleanly", async ({ page, request }) => {
    const stream = `zkmq-e2e-stream-${Date.now()}`;
    await rabbitQueue(request, stream, { "x-queue-type": "stream" });
    try {
      // Direct load, then reload: the stream's own form (server and browser
      // render the same branch; the fixture fails on a hydration warning).
      const url = `/rabbitmq/local/queues/%2F/${stream}`;
      await openHydrated(page, url);
      await expect(page.getByRole("button", { name: "Read from stream" })).toBeVisible();
      await expect(page.getByRole("button", { name: /Get and requeue/ })).toHaveCount(0);
      await page.reload();
      await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 30_000 });
      await expect(page.getByRole("button", { name: "Read from stream" })).toBeVisible();
      await expect(page.getByLabel("Count (1–500)")).toHaveValue("10");

      // Leaving: no call for the next URL read as this page's parameters.
      const calls = recordCalls(page);
      await page.getByRole("link", { name: "Exchanges", exact: true }).click();
      await expect(page).toHaveURL(/\/rabbitmq\/local\/exchanges$/);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText("Exchanges");
      expect(calls.filter((c) => c.name === "get_queue"), JSON.stringify(calls)).toEqual([]);
      // Back returns to the queue, not to about:blank.
      await page.goBack();
      await expect(page).toHaveURL(new RegExp(`/queues/%2F/${stream}$`));
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(stream);
      await expect(page.getByRole("button", { name: "Read from stream" })).toBeVisible();
    } finally {
      await request.delete(`${RABBIT}/queues/%2F/${stream}`, { headers: RABBIT_AUTH });
    }
  });

  test("get-and-requeue states its one limit, and the server keeps it", async ({ page, request }) => {
    const queue = `zkmq-e2e-classic-${Date.now()}`;
    await rabbitQueue(request, queue, {});
    try {
      await openHydrated(page, `/rabbitmq/local/queues/%2F/${queue}`);
      const count = page.getByLabel("Count (1–100)");
      await count.fill("500");
      await page.getByLabel(/I understand/).check();
      await page.getByRole("button", { name: /Get and requeue/ }).click();
      // Said once, at the field (no banner repeating it under another name).
      await expect(count).toHaveAttribute("aria-invalid", "true");
      await expect(count).toHaveAccessibleDescription("500 is out of range: 1 to 100");
      await expect(page.getByText(/out of range/)).toHaveCount(1);
    } finally {
      await request.delete(`${RABBIT}/queues/%2F/${queue}`, { headers: RABBIT_AUTH });
    }
  });

  test("RabbitMQ refusals name the object in the user's words", async ({ page, request }) => {
    const queue = `zkmq-e2e-refusals-${Date.now()}`;
    await rabbitQueue(request, queue, {});
    try {
      // A missing queue: which one, not the management API's path.
      await openHydrated(page, `/rabbitmq/local/queues/%2F/${queue}-missing`);
      const missing = page.getByRole("alert").first();
      await expect(missing).toContainText(`queue "${queue}-missing" in vhost "/" was not found`);
      await expect(missing).not.toContainText("/api/");

      await openHydrated(page, `/rabbitmq/local/queues/%2F/${queue}`);
      const bind = page.getByRole("region", { name: "Bind from an exchange" });
      // The broker refuses bindings from the default exchange (HTTP 401):
      // that operation, not the credentials, which are fine.
      await bind.getByLabel("Exchange").fill("amq.default");
      await bind.getByRole("button", { name: "Bind" }).click();
      await expect(bind.getByRole("alert")).toContainText(`RabbitMQ refused this operation on the binding from the default exchange to queue "${queue}"`);
      await expect(bind.getByRole("alert")).not.toContainText("username and password");
      // A missing exchange: the broker's own reason, and the old outcome is gone.
      await bind.getByLabel("Exchange").fill("amq.direct");
      await bind.getByRole("button", { name: "Bind" }).click();
      await expect(bind.getByRole("status")).toHaveText("Bound from amq.direct.");
      await bind.getByLabel("Exchange").fill(`${queue}-nope`);
      await bind.getByRole("button", { name: "Bind" }).click();
      await expect(bind.getByRole("alert")).toContainText(`no exchange '${queue}-nope' in vhost '/'`);
      await expect(bind.getByRole("status")).toHaveCount(0);
    } finally {
      await request.delete(`${RABBIT}/queues/%2F/${queue}`, { headers: RABBIT_AUTH });
    }
  });

  test("Kafka: a missing partition and a stale preview, in words, at their fields", async ({ page, request }) => {
    const topic = `e2e-defects-${Date.now()}`;
    const created = await callApi(request, "create_topic", {
      cluster: "local", name: topic, partitions: "1", replication: "1", configs: "", preview: "false",
    });
    expect(created.status(), await created.text()).toBe(200);
    try {
      await openHydrated(page, `/kafka/local/topics/${topic}`);
      const produce = page.getByRole("region", { name: "Produce a message" });
      const partition = produce.getByLabel("Partition (empty: partitioner)");
      await partition.fill("7");
      await produce.getByLabel("Key").fill("k");
      // Enter submits: these are real forms.
      await produce.getByLabel("Key").press("Enter");
      await expect(partition).toHaveAccessibleDescription(`topic "${topic}" has 1 partition (0–0): there is no partition 7`);
      await partition.fill("");
      await produce.getByLabel("Key").press("Enter");
      await expect(produce.getByRole("status")).toHaveText("Produced to partition 0 at offset 0.");
      await expect(partition).not.toHaveAttribute("aria-invalid", "true");

      // A new attempt clears the last outcome: no old preview beside a new error.
      const configs = page.getByRole("region", { name: "Change configs" });
      await configs.getByLabel("Set (key=value per line)").fill("retention.ms=3600000");
      await configs.getByRole("button", { name: "Preview change" }).click();
      const preview = configs.getByRole("region", { name: "Preview (validated by the brokers, not applied)" });
      await expect(preview).toContainText("retention.ms");
      await configs.getByLabel("Set (key=value per line)").fill("retention.ms=soon");
      await configs.getByRole("button", { name: "Preview change" }).click();
      await expect(configs.getByLabel("Set (key=value per line)")).toHaveAttribute("aria-invalid", "true");
      await expect(preview).toHaveCount(0);
    } finally {
      await callApi(request, "delete_topic", { cluster: "local", topic, confirm: topic });
    }
  });

  test("RabbitMQ: a missing exchange and operator-policy keys, in words", async ({ page, request }) => {
    const queue = `zkmq-e2e-words-${Date.now()}`;
    await rabbitQueue(request, queue, {});
    try {
      await openHydrated(page, `/rabbitmq/local/queues/%2F/${queue}`);
      const publish = page.getByRole("region", { name: "Publish a message" });
      await publish.getByLabel("Exchange (empty: default)").fill(`${queue}-nope`);
      await publish.getByRole("button", { name: "Publish" }).click();
      await expect(publish.getByRole("alert")).toHaveText(`exchange "${queue}-nope" in vhost "/" was not found`);

      await openHydrated(page, "/rabbitmq/local/policies");
      const form = page.getByRole("region", { name: "Create or replace a policy" });
      await form.getByLabel("Policy name").fill(`${queue}-op`);
      await form.getByLabel("Pattern (regex)").fill("^zkmq-e2e-never$");
      await form.getByLabel("Definition (key=value per line)").fill("dead-letter-exchange=dlx");
      await form.getByLabel(/Operator policy/).check();
      await form.getByRole("button", { name: "Save policy" }).click();
      const def = form.getByLabel("Definition (key=value per line)");
      await expect(def).toHaveAttribute("aria-invalid", "true");
      await expect(def).toHaveAccessibleDescription(/"dead-letter-exchange" is not an operator policy key; known: expires, message-ttl/);
    } finally {
      await request.delete(`${RABBIT}/queues/%2F/${queue}`, { headers: RABBIT_AUTH });
    }
  });

  test("empty answers say what they mean", async ({ page }) => {
    // Past the oldest record: the start of the log, not "no changes yet".
    await openHydrated(page, "/audit?before=1");
    await expect(page.getByText("No older records: this is the start of the log.")).toBeVisible();
    await expect(page.getByText("No changes have been made")).toHaveCount(0);
    // A definitions file that defines nothing: said, and nothing to import.
    await openHydrated(page, "/rabbitmq/local/definitions");
    await page.getByLabel("Definitions JSON").fill("{}");
    await page.getByRole("button", { name: "Dry run" }).click();
    await expect(page.getByText(/defines nothing zkmq imports/)).toBeVisible();
    await expect(page.getByRole("button", { name: "Import", exact: true })).toBeDisabled();
  });

  test("Kafka's internal topics offer no delete and no new partitions", async ({ page }) => {
    await openHydrated(page, "/kafka/local/topics/__consumer_offsets");
    await expect(page.getByRole("note")).toContainText("one of Kafka's internal topics");
    await expect(page.getByRole("button", { name: "Delete topic" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Add partitions" })).toHaveCount(0);
    // An administrator may override; the server still refuses a config
    // change without it and names the override.
    await page.getByLabel("Set (key=value per line)").fill("retention.ms=604800000");
    await page.getByRole("button", { name: "Preview change" }).click();
    await expect(page.getByText(/Override: change an internal topic/).last()).toBeVisible();
    await page.getByLabel("Override: change an internal topic").check();
    await expect(page.getByRole("button", { name: "Add partitions" })).toBeVisible();
    await page.getByRole("button", { name: "Preview change" }).click();
    await expect(page.getByText("Preview (validated by the brokers, not applied)")).toBeVisible();
  });

  test("a page of an unknown cluster stops asking for live updates", async ({ page }) => {
    // The server refuses the upgrade (404), which Chromium logs as an error.
    allowConsole(page, /WebSocket connection to '.*\/nope' failed/);
    let sockets = 0;
    page.on("websocket", () => sockets++);
    await openHydrated(page, "/zookeeper/nope");
    // One banner, and no tree, panel or forms that cannot work.
    await expect(page.getByRole("alert")).toHaveText('no ZooKeeper cluster with id "nope" is configured');
    await expect(page.getByRole("tree")).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Export subtree" })).toHaveCount(0);
    await openHydrated(page, "/ensemble/nope");
    await expect(page.getByRole("alert").first()).toContainText('no ZooKeeper cluster with id "nope"');
    // Three attempts with backoff (0.5 + 1 + 2 s), then none.
    await page.waitForTimeout(5_000);
    const tried = sockets;
    await page.waitForTimeout(5_000);
    expect(sockets, "no more attempts once given up").toBe(tried);
    expect(tried).toBeLessThanOrEqual(8);
  });

  test("the cluster picker follows the page, back to the Overview too", async ({ page }) => {
    await openHydrated(page, "/");
    const picker = page.getByLabel("Cluster");
    await expect(picker).toHaveValue("");
    await picker.selectOption({ label: "Sandbox ensemble" });
    await expect(page).toHaveURL(/\/zookeeper\/local$/);
    await expect(picker).toHaveValue("/zookeeper/local");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview" }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(picker).toHaveValue("");
    await picker.selectOption({ label: "Sandbox Kafka" });
    await expect(picker).toHaveValue("/kafka/local");
  });

  test("RabbitMQ: exchange and binding arguments are checked; the default exchange has a name", async ({ page, request }) => {
    const queue = `zkmq-e2e-args-${Date.now()}`;
    await rabbitQueue(request, queue, {});
    try {
      await openHydrated(page, "/rabbitmq/local/exchanges");
      const create = page.getByRole("region", { name: "Create exchange" });
      await create.getByLabel("Name").fill(`${queue}-x`);
      const args = create.getByLabel("Arguments (key=value per line)");
      await args.fill("x-message-ttl=5");
      await create.getByRole("button", { name: "Create exchange" }).click();
      await expect(args).toHaveAttribute("aria-invalid", "true");
      await expect(args).toHaveAccessibleDescription('"x-message-ttl" is not an exchange argument; known: alternate-exchange');
      const bind = page.getByRole("form", { name: "New binding" });
      await bind.getByLabel("Source exchange").fill("amq.headers");
      await bind.getByLabel("Destination", { exact: true }).fill(queue);
      const bargs = bind.getByLabel("Binding arguments (key=value per line)");
      await bargs.fill("x-match=some");
      await bind.getByRole("button", { name: "Create binding" }).click();
      await expect(bargs).toHaveAccessibleDescription(/x-match: "some" must be one of all, any/);

      await openHydrated(page, `/rabbitmq/local/queues/%2F/${queue}`);
      const publish = page.getByRole("region", { name: "Publish a message" });
      await publish.getByLabel("Routing key").fill(queue);
      await publish.getByRole("button", { name: "Publish" }).click();
      await expect(publish.getByRole("status")).toHaveText("Published; a queue took it.");
      await openHydrated(page, "/audit");
      await expect(page.getByRole("row").filter({ hasText: "publish_message" }).first()).toContainText("%2F/(default exchange)");
    } finally {
      await request.delete(`${RABBIT}/queues/%2F/${queue}`, { headers: RABBIT_AUTH });
      // Only there if the check it should have failed let it through.
      await request.delete(`${RABBIT}/exchanges/%2F/${queue}-x`, { headers: RABBIT_AUTH });
    }
  });

  test("a new or deleted vhost is listed at once, not on the next 5 s tick", async ({ page, request }) => {
    const vhost = `zkmq-e2e-vh-${Date.now()}`;
    // The page's own 5 s refresh stays frozen: only the change may update the list.
    await page.clock.install();
    await openHydrated(page, "/rabbitmq/local");
    const line = page.getByText(/^Vhosts: /);
    await expect(line).toBeVisible();
    try {
      await page.clock.pauseAt(Date.now() + 60_000);
      const create = page.getByRole("form", { name: "Create a vhost" });
      await create.getByLabel("New vhost").fill(vhost);
      await create.getByLabel("New vhost").press("Enter");
      await expect(page.getByText(`Created vhost ${vhost}.`)).toBeVisible();
      await expect(line).toContainText(vhost);
      const del = page.getByRole("form", { name: "Delete a vhost" });
      await del.getByLabel("Vhost to delete").fill(vhost);
      await del.getByLabel("Type its name again").fill("wrong");
      await del.getByRole("button", { name: "Delete vhost and everything in it" }).click();
      await expect(del.getByLabel("Type its name again")).toHaveAttribute("aria-invalid", "true");
      await del.getByLabel("Type its name again").fill(vhost);
      await del.getByRole("button", { name: "Delete vhost and everything in it" }).click();
      await expect(page.getByText(`Deleted vhost ${vhost}.`)).toBeVisible();
      await expect(line).not.toContainText(vhost);
    } finally {
      await request.delete(`${RABBIT}/vhosts/${vhost}`, { headers: RABBIT_AUTH });
    }
  });

  test("a trailing slash goes to the page, not to an internal error", async ({ page }) => {
    await openHydrated(page, "/kafka/local/");
    await expect(page).toHaveURL(/\/kafka\/local$/);
    await expect(page.getByText("server state missing")).toHaveCount(0);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  });

  test.describe("ZooKeeper explorer", () => {
    const root = uniqueRoot("e2e-defects");
    const pad = (i: number) => String(i).padStart(3, "0");

    test.beforeAll(() => {
      const cmds = [`create ${root} ""`, `create ${root}/wide ""`, `create ${root}/other ""`, `create ${root}/other/leaf x`];
      for (let i = 0; i < 130; i++) cmds.push(`create ${root}/wide/c${pad(i)} ${i}`);
      zkCli(...cmds);
    });
    test.afterAll(() => {
      zkCli(`deleteall ${root}`);
    });

    test("a deep link to child 120 of 130 opens the page that holds it", async ({ page }) => {
      await openHydrated(page, `/zookeeper/local${root}/wide/c119`);
      const pager = page.getByRole("navigation", { name: `Children of ${root}/wide pages` });
      await expect(pager).toContainText("101–130 of 130");
      const item = page.getByRole("treeitem", { name: "c119", exact: true });
      await expect(item).toHaveAttribute("aria-selected", "true");
      // Paging on from there, and back.
      await pager.getByRole("button", { name: "Previous page" }).click();
      await expect(pager).toContainText("1–100 of 130");
      await pager.getByRole("button", { name: "Next page" }).click();
      await expect(pager).toContainText("101–130 of 130");
    });

    test("a link to a missing znode says so, and offers nothing to do with it", async ({ page }) => {
      await openHydrated(page, `/zookeeper/local${root}/gone`);
      const panel = page.getByRole("region", { name: "Znode" });
      await expect(panel.getByRole("alert")).toHaveText(`znode ${root}/gone was not found`);
      await expect(panel.getByRole("button", { name: "Export subtree" })).toHaveCount(0);
      await expect(panel.getByText("Create a child znode")).toHaveCount(0);
      // Its parent is still there to go to.
      await expect(page.getByRole("treeitem", { name: root.slice(1), exact: true })).toBeVisible();
    });

    test("the open znode's children keep their page and filter in the URL", async ({ page }) => {
      const url = `/zookeeper/local${root}/wide`;
      await openHydrated(page, url);
      const pager = page.getByRole("navigation", { name: `Children of ${root}/wide pages` });
      await pager.getByRole("button", { name: "Next page" }).click();
      await expect(pager).toContainText("101–130 of 130");
      await expect(page).toHaveURL(/\?page=2$/);
      await page.reload();
      await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
      await expect(pager).toContainText("101–130 of 130");

      const filter = page.getByLabel("Filter children of wide by prefix");
      await filter.fill("c12");
      await expect(page.getByText("1–10 of 10 (of 130)")).toBeVisible();
      await expect(page).toHaveURL(/\?prefix=c12$/);
      await page.reload();
      await expect(filter).toHaveValue("c12");
      await expect(page.getByText("1–10 of 10 (of 130)")).toBeVisible();

      // A page past the end (children were deleted since the link was made)
      // opens the last page.
      await openHydrated(page, `${url}?page=9`);
      await expect(pager).toContainText("101–130 of 130");
      await expect(page).toHaveURL(/\?page=2$/);
    });

    test("the tree survives navigation, and works as a tree from the keyboard", async ({ page }) => {
      await openHydrated(page, `/zookeeper/local${root}/other`);
      const item = (n: string) => page.getByRole("treeitem", { name: n, exact: true });
      // Open a level by hand, then move around: it stays open, focus stays put.
      await item("wide").getByRole("button", { name: "Expand children of wide" }).click();
      await expect(item("c000")).toBeVisible();
      // Its children have none of their own: shown as leaves before anyone opens them.
      await expect(item("c000")).not.toHaveAttribute("aria-expanded", /.*/);
      await item("leaf").getByRole("link", { name: "leaf" }).click();
      await expect(page).toHaveURL(new RegExp(`${root}/other/leaf$`));
      await expect(item("wide")).toHaveAttribute("aria-expanded", "true");
      await expect(item("leaf").getByRole("link")).toBeFocused();
      await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "/", exact: true }).click();
      await expect(page).toHaveURL(/\/zookeeper\/local$/);
      await expect(item("wide")).toHaveAttribute("aria-expanded", "true");

      // A leaf, once opened, is not offered as expandable.
      await expect(item("leaf")).not.toHaveAttribute("aria-expanded", /.*/);
      // One tab stop in the tree: the selected item.
      const tree = page.getByRole("tree", { name: "Znodes" });
      await expect(tree.locator('a[tabindex="0"]')).toHaveCount(1);
      // Right on an open item goes to its first child; Left goes back up.
      await item(root.slice(1)).getByRole("link").first().focus();
      await page.keyboard.press("ArrowRight");
      await expect(item("other").getByRole("link", { name: "other" })).toBeFocused();
      await expect(tree.locator('a[tabindex="0"]')).toHaveCount(1);
      // Left closes an open item first, then goes up to its parent.
      await page.keyboard.press("ArrowLeft");
      await expect(item("other")).toHaveAttribute("aria-expanded", "false");
      await page.keyboard.press("ArrowLeft");
      await expect(item(root.slice(1)).getByRole("link").first()).toBeFocused();

      // The level filter applies as you type, and keeps its focus.
      const filter = page.getByLabel("Filter children of wide by prefix");
      await filter.pressSequentially("c12");
      await expect(page.getByRole("navigation", { name: `Children of ${root}/wide pages` })).toContainText("1–10 of 10");
      await expect(filter).toBeFocused();
      await expect(filter).toHaveValue("c12");
    });

    test("Cancel throws the draft away: the next edit starts from the stored value", async ({ page }) => {
      zkCli(`set ${root}/other {"a":1}`);
      await openHydrated(page, `/zookeeper/local${root}/other`);
      await page.getByRole("button", { name: "Edit data" }).click();
      const draft = page.getByLabel("New data");
      await expect(draft).toHaveValue('{"a":1}');
      await expect(page.getByLabel("Store as")).toHaveValue("json");
      await draft.fill("half-typed");
      await page.getByLabel("Store as").selectOption("text");
      await page.getByRole("button", { name: "Cancel" }).click();
      await page.getByRole("button", { name: "Edit data" }).click();
      await expect(page.getByLabel("New data")).toHaveValue('{"a":1}');
      await expect(page.getByLabel("Store as")).toHaveValue("json");
    });

    test("names, base64 and import files ZooKeeper or zkmq refuse are said at their field", async ({ page }) => {
      await openHydrated(page, `/zookeeper/local${root}/other`);
      await page.getByText("Create a child znode").click();
      const name = page.getByLabel("Name", { exact: true });
      await name.fill("smile\u{1F600}");
      await page.getByRole("button", { name: "Create", exact: true }).click();
      await expect(name).toHaveAttribute("aria-invalid", "true");
      await expect(name).toHaveAccessibleDescription(/U\+1F600.*such as emoji/);
      await name.fill("a/b");
      await page.getByRole("button", { name: "Create", exact: true }).click();
      await expect(name).toHaveAccessibleDescription(/has a \/: a name is one level; create "a" first/);

      await page.getByRole("button", { name: "Edit data" }).click();
      await page.getByLabel("New data").fill("!!");
      await page.getByLabel("Store as").selectOption("base64");
      await page.getByRole("button", { name: "Save" }).click();
      await expect(page.getByLabel("New data")).toHaveAccessibleDescription(/^is not valid base64: "!" at position 1 is not a base64 character/);
      await page.getByRole("button", { name: "Cancel" }).click();

      const file = page.getByLabel(`Import a zkmq export file under ${root}/other`);
      await file.setInputFiles({ name: "x.json", mimeType: "application/json", buffer: Buffer.from('{"hello": 1}') });
      await page.getByRole("button", { name: "Dry run" }).click();
      await expect(file).toHaveAccessibleDescription(/^is not a zkmq export file: it has no "format"/);
      await expect(page.getByText(/missing field/)).toHaveCount(0);
      expect(zkCli(`ls ${root}/other`)).not.toMatch(/smile|\ba\b/);
    });

    test("leaving a znode page reads nothing for the next page", async ({ page }) => {
      await openHydrated(page, `/zookeeper/local${root}/other`);
      const calls = recordCalls(page);
      await page.getByRole("link", { name: "Audit", exact: true }).click();
      await expect(page).toHaveURL(/\/audit$/);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText("Audit log");
      expect(calls.filter((c) => c.name === "get_znode"), JSON.stringify(calls)).toEqual([]);
    });

    test("a payload over the request size gets its field's own sentence", async ({ page }) => {
      await openHydrated(page, `/zookeeper/local${root}`);
      await page.getByText("Create a child znode").click();
      await page.getByLabel("Name", { exact: true }).fill("big");
      // 3 MB of JSON: about 9 MB form-encoded, past axum's default 2 MB body limit.
      await page.getByLabel("Data", { exact: true }).fill(`{"v":"${"x".repeat(3_000_000)}"}`);
      await page.getByRole("button", { name: "Create", exact: true }).click();
      const data = page.getByLabel("Data", { exact: true });
      await expect(data).toHaveAttribute("aria-invalid", "true");
      await expect(data).toHaveAccessibleDescription(/this cluster accepts at most \d+ bytes per znode/);
      await expect(page.getByText(/could not reach the zkmq server/)).toHaveCount(0);
      expect(zkCli(`ls ${root}`)).not.toMatch(/\bbig\b/);
    });
  });
});
