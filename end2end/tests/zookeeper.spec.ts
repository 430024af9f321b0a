import { type Page } from "@playwright/test";
import * as fs from "node:fs";
import { test, expect, auditRow, openHydrated, uniqueRoot, zkCli } from "./helpers";

const treeItem = (page: Page, name: string) => page.getByRole("treeitem", { name, exact: true });

test.describe("ZooKeeper explorer", () => {
  let root: string;
  let rootName: string;

  test.beforeEach(() => {
    root = uniqueRoot("e2e-zk");
    rootName = root.slice(1);
    zkCli(
      `create ${root} root-data`,
      `create ${root}/app {"replicas":3,"tags":["a","b"]}`,
      `create ${root}/app/config hello`,
      `create ${root}/app/config/deep "<b>not bold</b>"`,
    );
  });

  test.afterEach(() => {
    zkCli(`deleteall ${root}`);
  });

  test("browse the tree down to a deep znode; its URL deep-links back to it", async ({ page }) => {
    await openHydrated(page, "/zookeeper/local");
    const tree = page.getByRole("tree", { name: "Znodes" });
    await expect(tree).toBeVisible();
    await treeItem(page, rootName).getByRole("button").click();
    await treeItem(page, "app").getByRole("link", { name: "app" }).click();
    await expect(page).toHaveURL(new RegExp(`/zookeeper/local${root}/app$`));
    // JSON is detected and pretty-printed.
    await expect(page.getByTestId("znode-data")).toContainText('"replicas": 3');
    await expect(page.getByRole("button", { name: "JSON" })).toHaveAttribute("aria-pressed", "true");
    await treeItem(page, "config").getByRole("button").click();
    await treeItem(page, "deep").getByRole("link").click();
    await expect(page.getByRole("heading", { level: 2 })).toHaveText(`${root}/app/config/deep`);
    // Markup in data is shown as text, never rendered.
    await expect(page.getByTestId("znode-data")).toHaveText("<b>not bold</b>");
    await expect(page.getByTestId("znode-data").locator("b")).toHaveCount(0);
    // Hex view of the same bytes.
    await page.getByRole("button", { name: "Hex" }).click();
    await expect(page.getByTestId("znode-data")).toContainText("3c 62 3e");

    // The deep link renders on its own, with the ancestors expanded and the item selected.
    await page.goto(`/zookeeper/local${root}/app/config/deep`);
    await expect(treeItem(page, "deep")).toHaveAttribute("aria-selected", "true");
    await expect(treeItem(page, "config")).toHaveAttribute("aria-expanded", "true");
    await expect(page.getByText("ephemeralOwner")).toBeVisible();
  });

  test("the tree works from the keyboard", async ({ page }) => {
    await openHydrated(page, `/zookeeper/local${root}`);
    const rootLink = treeItem(page, rootName).getByRole("link", { name: rootName });
    await rootLink.focus();
    await page.keyboard.press("ArrowDown"); // first child: app
    await expect(treeItem(page, "app").getByRole("link", { name: "app" })).toBeFocused();
    await page.keyboard.press("ArrowRight"); // expand app
    await expect(treeItem(page, "app")).toHaveAttribute("aria-expanded", "true");
    await expect(treeItem(page, "config")).toBeVisible(); // its children load from the server
    await page.keyboard.press("ArrowDown");
    await expect(treeItem(page, "config").getByRole("link", { name: "config" })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(new RegExp(`/zookeeper/local${root}/app/config$`));
    await treeItem(page, "app").getByRole("link", { name: "app" }).focus();
    await page.keyboard.press("ArrowLeft"); // collapse app
    await expect(treeItem(page, "app")).toHaveAttribute("aria-expanded", "false");
    await page.keyboard.press("ArrowLeft"); // to the parent
    await expect(rootLink).toBeFocused();
  });

  test("edit data; a concurrent change is shown side by side and nothing is overwritten", async ({ page }) => {
    await openHydrated(page, `/zookeeper/local${root}/app/config`);
    await expect(page.getByTestId("znode-data")).toHaveText("hello");

    // A plain edit.
    await page.getByRole("button", { name: "Edit data" }).click();
    await page.getByLabel("New data").fill("hello v1");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByTestId("znode-data")).toHaveText("hello v1");
    await expect(page.getByText("version 1 ·")).toBeVisible();

    // Start an edit, then someone else changes the znode.
    await page.getByRole("button", { name: "Edit data" }).click();
    await page.getByLabel("New data").fill("mine");
    zkCli(`set ${root}/app/config theirs`);
    await page.getByRole("button", { name: "Save" }).click();
    const alert = page.getByRole("alert");
    await expect(alert).toContainText("Someone changed this znode since you opened it (now version 2). Nothing was overwritten.");
    await expect(page.getByTestId("conflict-mine")).toHaveText("mine");
    await expect(page.getByTestId("conflict-theirs")).toHaveText("theirs");
    expect(zkCli(`get ${root}/app/config`)).toContain("theirs");

    // The user chooses to overwrite.
    await page.getByRole("button", { name: "Overwrite with my edit" }).click();
    await expect(page.getByTestId("znode-data")).toHaveText("mine");
    expect(zkCli(`get ${root}/app/config`)).toContain("mine");

    // Invalid JSON is refused with a clear message and changes nothing.
    await page.getByRole("button", { name: "Edit data" }).click();
    await page.getByLabel("New data").fill("{not json");
    await page.getByLabel("Store as").selectOption("json");
    await page.getByRole("button", { name: "Save" }).click();
    // Said at the field it is about, by its visible label, once.
    await expect(page.getByLabel("New data")).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByLabel("New data")).toHaveAccessibleDescription(/^is not valid JSON/);
    await expect(page.getByRole("alert")).toHaveCount(1);
    expect(zkCli(`get ${root}/app/config`)).toContain("mine");
  });

  test("create a child, then delete it; both are in the audit log with before/after", async ({ page }) => {
    await openHydrated(page, `/zookeeper/local${root}`);
    await page.getByText("Create a child znode").click();
    await page.getByLabel("Name", { exact: true }).fill("made-by-e2e");
    await page.getByLabel("Data", { exact: true }).fill("fresh");
    await page.getByRole("button", { name: "Create" }).click();
    await expect(page).toHaveURL(new RegExp(`/zookeeper/local${root}/made-by-e2e$`));
    await expect(page.getByTestId("znode-data")).toHaveText("fresh");
    expect(zkCli(`get ${root}/made-by-e2e`)).toContain("fresh");

    // A bad name is refused before anything is sent.
    await page.goto(`/zookeeper/local${root}`);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await page.getByText("Create a child znode").click();
    await page.getByLabel("Name", { exact: true }).fill("..");
    await page.getByRole("button", { name: "Create" }).click();
    await expect(page.getByRole("alert")).toContainText("must not contain . or .. segments");

    await page.goto(`/zookeeper/local${root}/made-by-e2e`);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await page.getByRole("button", { name: "Delete znode" }).click();
    await page.getByRole("button", { name: "Confirm delete" }).click();
    await expect(page).toHaveURL(new RegExp(`/zookeeper/local${root}$`));
    expect(zkCli(`ls ${root}`)).not.toContain("made-by-e2e");

    // Creating a child that exists already: ZooKeeper refuses, the page says so.
    await page.goto(`/zookeeper/local${root}`);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await page.getByText("Create a child znode").click();
    await page.getByLabel("Name", { exact: true }).fill("app");
    await page.getByLabel("Data", { exact: true }).fill("again");
    await page.getByRole("button", { name: "Create" }).click();
    await expect(page.getByRole("alert")).toContainText(`znode ${root}/app already exists`);

    // The audit page's outcome column: exactly "ok" for the changes that worked,
    // exactly "error" with the reason for the one that failed.
    await page.goto("/audit");
    const created = auditRow(page, "create_znode", `${root}/made-by-e2e`);
    const deleted = auditRow(page, "delete_znode", `${root}/made-by-e2e`);
    await expect(created.getByTestId("outcome")).toHaveText("ok");
    await expect(created.getByTestId("outcome-error")).toHaveCount(0);
    await expect(deleted.getByTestId("outcome")).toHaveText("ok");
    const failed = auditRow(page, "create_znode", `${root}/app`);
    await expect(failed).toHaveCount(1);
    await expect(failed.getByTestId("outcome")).toHaveText("error");
    await expect(failed.getByTestId("outcome-error")).toContainText(`znode ${root}/app already exists`);
    expect(zkCli(`get ${root}/app`)).not.toContain("again");
    await deleted.getByText("values").click();
    await expect(deleted).toContainText('"data":"fresh"');
  });

  test("delete a subtree after a preview that counts it and a typed confirmation", async ({ page }) => {
    await openHydrated(page, `/zookeeper/local${root}/app`);
    await page.getByRole("button", { name: "Delete subtree…" }).click();
    await expect(page.getByTestId("subtree-preview")).toHaveText(
      `This deletes 3 znodes (3 levels deep) under and including ${root}/app.`,
    );
    const confirm = page.getByLabel(`Type ${root}/app to confirm`);
    const go = page.getByRole("button", { name: "Delete 3 znodes" });
    await confirm.fill(`${root}/ap`);
    await expect(go).toBeDisabled();
    await confirm.fill(`${root}/app`);
    await go.click();
    await expect(page).toHaveURL(new RegExp(`/zookeeper/local${root}$`));
    expect(zkCli(`ls ${root}`)).toMatch(/\[\]/);

    // The audit record keeps the deleted subtree, data included.
    await page.goto("/audit");
    const row = auditRow(page, "delete_subtree", `${root}/app`);
    await expect(row.getByTestId("outcome")).toHaveText("ok");
    await row.getByText("values").click();
    await expect(row).toContainText(`"path":"${root}/app/config/deep"`);
    await expect(row).toContainText("<b>not bold</b>");
  });

  test("edit the ACL; ZooKeeper then enforces it", async ({ page }) => {
    await openHydrated(page, `/zookeeper/local${root}/app/config`);
    await page.getByRole("button", { name: "Edit ACL" }).click();
    const entries = page.getByLabel("ACL entries (scheme:id:perms, one per line)");
    await expect(entries).toHaveValue("world:anyone:cdrwa");
    await entries.fill("world:anyone:cdra\nip:300.1.1.1:r");
    await page.getByRole("button", { name: "Save ACL" }).click();
    await expect(entries).toHaveAttribute("aria-invalid", "true");
    await expect(entries).toHaveAccessibleDescription(/^line 2: "ip:300\.1\.1\.1:r" has "300\.1\.1\.1", which is not an IP address/);
    await entries.fill("world:anyone:cdra\nip:127.0.0.1:r");
    await page.getByRole("button", { name: "Save ACL" }).click();
    await expect(page.getByRole("row", { name: /ip 127\.0\.0\.1 r/ })).toBeVisible();
    expect(zkCli(`getAcl ${root}/app/config`)).toContain("'ip,'127.0.0.1");

    // Without write permission the edit is refused by ZooKeeper, and says so.
    await page.getByRole("button", { name: "Edit data" }).click();
    await page.getByLabel("New data").fill("blocked");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("alert")).toContainText("ZooKeeper refused access");
    expect(zkCli(`get ${root}/app/config`)).toContain("hello");
    zkCli(`setAcl ${root}/app/config world:anyone:cdrwa`);
  });

  test("export a subtree, then import it back after a dry run", async ({ page }) => {
    await openHydrated(page, `/zookeeper/local${root}`);
    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export subtree" }).click();
    const download = await downloading;
    const file = await download.path();
    const exported = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(exported.format).toBe("zkmq-znodes/1");
    expect(exported.root).toBe(root);
    expect(exported.znodes.map((z: { path: string }) => z.path).sort()).toEqual(
      [root, `${root}/app`, `${root}/app/config`, `${root}/app/config/deep`].sort(),
    );

    // Someone changes one znode and deletes another; the import restores both.
    zkCli(`set ${root}/app/config changed`, `delete ${root}/app/config/deep`);
    await page.getByLabel(`Import a zkmq export file under ${root}`).setInputFiles(file);
    await page.getByRole("button", { name: "Dry run" }).click();
    await expect(page.getByTestId("import-summary")).toHaveText("Dry run: 1 to create, 1 to update, 2 unchanged, 0 in conflict");
    await page.getByRole("button", { name: "Apply import (1 create, 1 update)" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Imported" })).toHaveText("Imported: 2 znodes created or updated");
    expect(zkCli(`get ${root}/app/config`)).toContain("hello");
    expect(zkCli(`get ${root}/app/config/deep`)).toContain("<b>not bold</b>");

    await page.goto("/audit");
    const row = auditRow(page, "import_znodes", root);
    await expect(row.getByTestId("outcome")).toHaveText("ok");
    await row.getByText("values").click();
    await expect(row).toContainText('"data":"changed"');
  });

  test("/zookeeper is read-only", async ({ page }) => {
    await openHydrated(page, "/zookeeper/local/zookeeper");
    await expect(page.getByText("read-only in zkmq")).toBeVisible();
    await expect(page.getByRole("button", { name: "Edit data" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Delete znode" })).toHaveCount(0);
  });
});

test.describe("ZooKeeper explorer, live", () => {
  let root: string;
  test.beforeEach(() => {
    root = uniqueRoot("e2e-live");
    zkCli(`create ${root} one`);
  });
  test.afterEach(() => {
    zkCli(`deleteall ${root}`);
  });

  test("changes made by another client appear within a second, without reload", async ({ page }) => {
    await openHydrated(page, `/zookeeper/local${root}`);
    await expect(page.getByTestId("zk-live")).toHaveText("live");
    await expect(page.getByTestId("znode-data")).toHaveText("one");

    zkCli(`set ${root} two`);
    await expect(page.getByTestId("znode-data")).toHaveText("two", { timeout: 1_500 });

    // A child created elsewhere shows up in the expanded tree level.
    zkCli(`create ${root}/arrived x`);
    await expect(page.getByRole("treeitem", { name: "arrived", exact: true })).toBeVisible({ timeout: 1_500 });
    await expect(page.getByText("1 children")).toBeVisible({ timeout: 1_500 });

    // While editing, a change elsewhere does not wipe what the user typed.
    await page.getByRole("button", { name: "Edit data" }).click();
    await page.getByLabel("New data").fill("typed by me");
    zkCli(`set ${root} three`);
    await expect(page.getByRole("status")).toContainText("changed while you were editing", { timeout: 1_500 });
    await expect(page.getByLabel("New data")).toHaveValue("typed by me");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByTestId("conflict-theirs")).toHaveText("three");
  });

  test("a level re-read after a live change keeps what the user expanded below it", async ({ page }) => {
    zkCli(`create ${root}/a x`, `create ${root}/a/inner x`);
    await openHydrated(page, `/zookeeper/local${root}`);
    await expect(page.getByTestId("zk-live")).toHaveText("live");
    await page.getByRole("button", { name: "Expand children of a", exact: true }).click();
    await expect(page.getByRole("treeitem", { name: "inner", exact: true })).toBeVisible();

    // Another client adds a sibling: the level is read again, "a" stays open.
    zkCli(`create ${root}/b x`);
    await expect(page.getByRole("treeitem", { name: "b", exact: true })).toBeVisible({ timeout: 1_500 });
    await expect(page.getByRole("treeitem", { name: "a", exact: true })).toHaveAttribute("aria-expanded", "true");
    await expect(page.getByRole("treeitem", { name: "inner", exact: true })).toBeVisible();
  });
});

test.describe("ZooKeeper explorer, search", () => {
  let root: string;
  test.beforeEach(() => {
    root = uniqueRoot("e2e-search");
    zkCli(
      `create ${root} x`,
      `create ${root}/orders x`,
      `create ${root}/orders/order-1 x`,
      `create ${root}/orders/order-22 x`,
      `create ${root}/users x`,
      `create ${root}/users/Order-archive x`,
    );
  });
  test.afterEach(() => {
    zkCli(`deleteall ${root}`);
  });

  test("finds names by substring or regex within the open subtree, with its budgets shown", async ({ page }) => {
    await openHydrated(page, `/zookeeper/local${root}`);
    await expect(page.getByTestId("zk-live")).toHaveText("live");
    const search = page.getByRole("search", { name: "Search znode names" });
    await search.getByLabel(`Search names under ${root}`).fill("order");
    await search.getByRole("button", { name: "Search" }).click();
    const results = page.getByRole("list", { name: "Search results" });
    await expect(page.getByTestId("search-status")).toContainText("done · 4 matches in 5 znodes");
    // Matches arrive level by level, in ZooKeeper's order; they are shown sorted by path.
    await expect(results.getByRole("link")).toHaveText([`${root}/orders`, `${root}/orders/order-1`, `${root}/orders/order-22`, `${root}/users/Order-archive`]);
    await expect(page.getByTestId("search-status")).toContainText("budget 100000 znodes / 10 s");

    await search.getByLabel(`Search names under ${root}`).fill("^order-\\d{2}$");
    await search.getByLabel("Regular expression").check();
    await search.getByRole("button", { name: "Search" }).click();
    await expect(page.getByTestId("search-status")).toContainText("done · 1 matches");
    await expect(results.getByRole("link")).toHaveText([`${root}/orders/order-22`]);
    await results.getByRole("link").click();
    await expect(page).toHaveURL(new RegExp(`/zookeeper/local${root}/orders/order-22$`));

    await search.getByLabel(/Search names under/).fill("([");
    await search.getByRole("button", { name: "Search" }).click();
    await expect(page.getByRole("alert")).toContainText("pattern: not a valid regular expression");
  });
});
