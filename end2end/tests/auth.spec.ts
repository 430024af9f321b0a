import { test, expect, callApi, auditRow, escapeRegExp, uniqueRoot } from "./helpers";
import { request as http, type Browser, type Page } from "@playwright/test";
import { baseURL } from "../playwright.config";

// Login, deep links, roles and session ends, in a browser with no saved state
// (the other specs start signed in as the admin).

async function freshPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  return context.newPage();
}

async function logIn(page: Page, name: string, password: string) {
  await page.getByLabel("User name").fill(name);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

test("a deep link goes through login and back, and the change names the user", async ({ browser, request }) => {
  const name = `op-${Date.now()}`;
  const password = `password of ${name}`;
  expect((await callApi(request, "add_user", { name, password })).status()).toBe(200);
  for (const role of ["operator", "auditor"]) {
    expect((await callApi(request, "grant_role", { name, role, scope: "*/*" })).status()).toBe(200);
  }
  const root = uniqueRoot("auth");
  const made = await callApi(request, "create_znode", { cluster: "local", path: root, data: "", encoding: "text", kind: "persistent" });
  expect(made.status()).toBe(200);
  const page = await freshPage(browser);
  const deep = `/zookeeper/local${root}`;
  await page.goto(deep);
  await expect(page).toHaveURL(`/login?next=${encodeURIComponent(deep)}`);
  await expect(page.getByRole("navigation", { name: "Main" })).toHaveCount(0);

  // A wrong password: one sentence, and the deep link is kept.
  await logIn(page, name, "not the password at all");
  await expect(page.getByRole("alert")).toHaveText("Login failed: the user name or password is wrong.");
  await expect(page).toHaveURL(`/login?next=${encodeURIComponent(deep)}&error=failed`);
  await logIn(page, name, password);
  await expect(page).toHaveURL(deep);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");

  // A change through the page, then its audit row names the user.
  await page.getByText("Create a child znode").click();
  await page.getByLabel("Name", { exact: true }).fill("made-by-op");
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page).toHaveURL(`${deep}/made-by-op`);
  await page.goto("/audit");
  const row = auditRow(page, "create_znode", `${root}/made-by-op`);
  await expect(row.getByTestId("outcome")).toHaveText("ok");
  await expect(row.getByRole("cell", { name: new RegExp(`^${escapeRegExp(name)} via password`) })).toBeVisible();

  // The user menu says who and which roles; logging out ends the session.
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const menu = page.getByRole("button", { name: `Signed in as ${name}` });
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await menu.click();
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await expect(page.getByRole("listitem").filter({ hasText: "operator on */*" })).toBeVisible();
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL("/login");
  await page.goto(deep);
  await expect(page).toHaveURL(`/login?next=${encodeURIComponent(deep)}`);
  await page.context().close();
});

test("an ended session sends the user to login and back to the page", async ({ browser, request }) => {
  const name = `viewer-${Date.now()}`;
  const password = `password of ${name}`;
  expect((await callApi(request, "add_user", { name, password })).status()).toBe(200);
  expect((await callApi(request, "grant_role", { name, role: "viewer", scope: "*/*" })).status()).toBe(200);
  const page = await freshPage(browser);
  await page.goto("/kafka/local/topics");
  await logIn(page, name, password);
  await expect(page).toHaveURL(/\/kafka\/local\/topics$/);
  await expect(page.getByRole("heading", { name: "Topics", exact: true })).toBeVisible();
  // A viewer reads, but the controls that change something are disabled
  // with the role that is missing; the server refuses them anyway.
  await expect(page.getByRole("button", { name: "Create topic" })).toBeDisabled();
  await expect(page.getByTestId("needs")).toHaveText("Disabled: needs operator on kafka/local");
  await expect(page.getByLabel("Filter by name")).toBeEnabled();

  // An admin disables and re-enables the account: its sessions end, as
  // they do when idle too long (server/tests/access.rs waits for that).
  expect((await callApi(request, "set_user_disabled", { name, disabled: "true" })).status()).toBe(200);
  expect((await callApi(request, "set_user_disabled", { name, disabled: "false" })).status()).toBe(200);
  await page.reload();
  await expect(page).toHaveURL(/\/login\?next=%2Fkafka%2Flocal%2Ftopics$/);
  await logIn(page, name, password);
  await expect(page).toHaveURL(/\/kafka\/local\/topics$/);
  await page.context().close();
});

test("an admin adds a user and grants a role; a bad scope is named at its field", async ({ page }) => {
  const name = `new-${Date.now()}`;
  await page.goto("/admin/users");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const add = page.getByRole("form", { name: "Add a user" });
  await add.getByLabel("User name").fill(name);
  await add.getByLabel("Password (12 characters or more)").fill("short");
  await add.getByRole("button", { name: "Add user" }).click();
  await expect(add.getByText("is 5 characters; at least 12 are needed")).toBeVisible();
  await add.getByLabel("Password (12 characters or more)").fill(`password of ${name}`);
  await add.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByText(`User ${name} added. Give them a role below.`)).toBeVisible();
  await expect(page.getByRole("row", { name })).toContainText("(no roles)");

  const grant = page.getByRole("form", { name: "Grant a role" });
  await grant.getByLabel("To user").fill(name);
  await grant.getByLabel("Role").selectOption("operator");
  await grant.getByLabel(/^On clusters/).fill("kafka/lcoal");
  await grant.getByRole("button", { name: "Grant" }).click();
  await expect(grant.getByText("matches no configured cluster (configured: zookeeper/local, kafka/local, rabbitmq/local)")).toBeVisible();
  await grant.getByLabel(/^On clusters/).fill("kafka/*");
  await grant.getByRole("button", { name: "Grant" }).click();
  await expect(page.getByRole("row", { name })).toContainText("operator on kafka/*");
});

test("a user makes an API token, sees it once, and revokes it", async ({ page }) => {
  const label = `script-${Date.now()}`;
  await page.goto("/account");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const form = page.getByRole("form", { name: "New API token" });
  await form.getByLabel("Label").fill(label);
  await form.getByLabel("Days until it expires").fill("400");
  await form.getByRole("button", { name: "Create token" }).click();
  await expect(form.getByText("\"400\" is not a number of days from 1 to 365")).toBeVisible();
  await form.getByLabel("Days until it expires").fill("7");
  await form.getByRole("button", { name: "Create token" }).click();
  const secret = page.getByLabel(`Token "${label}"`);
  await expect(secret).toHaveValue(/^zkmq_[0-9a-f]{64}$/);
  const token = await secret.inputValue();

  // A script with the token: no cookie, no Origin.
  const script = await http.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  const me = await script.post("/api/whoami", { headers: { Authorization: `Bearer ${token}` } });
  expect(me.status()).toBe(200);
  expect((await me.json()).via).toMatch(new RegExp(`^token:\\d+:${label}$`));

  const row = page.getByRole("row", { name: label });
  await expect(row).toContainText("active");
  await row.getByRole("button", { name: "Revoke" }).click();
  await row.getByRole("button", { name: "Yes: revoke" }).click();
  await expect(row).toContainText("revoked");
  const after = await script.post("/api/whoami", { headers: { Authorization: `Bearer ${token}` } });
  expect(after.status()).toBe(401);
  await script.dispose();
});

test("an admin resets a forgotten password and revokes another user's token", async ({ browser, page, request }) => {
  const name = `forgetful-${Date.now()}`;
  const label = `nightly-${Date.now()}`;
  expect((await callApi(request, "add_user", { name, password: `password of ${name}` })).status()).toBe(200);
  expect((await callApi(request, "grant_role", { name, role: "viewer", scope: "*/*" })).status()).toBe(200);
  const user = await freshPage(browser);
  await user.goto("/login");
  await logIn(user, name, `password of ${name}`);
  await expect(user).toHaveURL("/");
  const made = await user.request.post("/api/create_api_token", { form: { label, days: "7" }, headers: { Origin: baseURL } });
  expect(made.status()).toBe(200);
  const token: string = (await made.json()).token;

  await page.goto("/admin/users");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const reset = page.getByRole("form", { name: "Set a password" });
  await reset.getByLabel("For user").fill(name);
  await reset.getByLabel("New password (12 characters or more)").fill("too short");
  await reset.getByRole("button", { name: "Set password" }).click();
  await expect(reset.getByLabel("New password (12 characters or more)")).toHaveAccessibleDescription("is 9 characters; at least 12 are needed");
  await reset.getByLabel("New password (12 characters or more)").fill("a brand new password");
  await reset.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByText(`${name} has a new password; their sessions ended.`)).toBeVisible();
  await expect(reset.getByLabel("New password (12 characters or more)")).toHaveValue("");

  // The user's old session is over; the new password signs them in.
  await user.goto("/account");
  await expect(user).toHaveURL(/\/login\?next=/);
  await logIn(user, name, "a brand new password");
  await expect(user).toHaveURL("/account");

  // Every user's tokens, with whose they are; revoking one ends the script.
  const tokens = page.getByRole("table", { name: "Every user's API tokens" });
  const row = tokens.getByRole("row", { name: label });
  await expect(row).toContainText(name);
  await expect(row).toContainText("active");
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(row.getByText(`Revoke ${name}'s token ${label}? Scripts using it stop working.`)).toBeVisible();
  await row.getByRole("button", { name: "Yes: revoke" }).click();
  await expect(row).toContainText("revoked");
  const script = await http.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  expect((await script.post("/api/whoami", { headers: { Authorization: `Bearer ${token}` } })).status()).toBe(401);
  await script.dispose();
  await page.goto("/audit");
  // Newest first: the reset, then the refused short password (recorded too).
  const resets = auditRow(page, "set_password", name).getByTestId("outcome");
  await expect(resets).toHaveText(["ok", "error"]);
  await expect(auditRow(page, "revoke_api_token", name).getByTestId("outcome")).toHaveText("ok");
  await user.context().close();
});

test("an auditor on some clusters reads their rows and is told what else exists", async ({ browser, request }) => {
  const name = `auditor-${Date.now()}`;
  const password = `password of ${name}`;
  expect((await callApi(request, "add_user", { name, password })).status()).toBe(200);
  expect((await callApi(request, "grant_role", { name, role: "auditor", scope: "zookeeper/local" })).status()).toBe(200);
  const root = uniqueRoot("auditor");
  expect((await callApi(request, "create_znode", { cluster: "local", path: root, data: "", encoding: "text", kind: "persistent" })).status()).toBe(200);
  const page = await freshPage(browser);
  await page.goto("/audit");
  await logIn(page, name, password);
  await expect(page).toHaveURL("/audit");
  await expect(page.getByTestId("audit-part")).toHaveText(
    "Changes on zookeeper/local (your auditor roles). Other clusters' changes and account changes need auditor on */*.",
  );
  await expect(auditRow(page, "create_znode", root).getByTestId("outcome")).toHaveText("ok");
  // The admin's grant to this very user is a console row: not shown here.
  await expect(page.getByRole("cell", { name: "grant_role" })).toHaveCount(0);
  await page.context().close();
});

test("a live view says when its session ended instead of reconnecting", async ({ browser, request }) => {
  const name = `live-${Date.now()}`;
  const password = `password of ${name}`;
  expect((await callApi(request, "add_user", { name, password })).status()).toBe(200);
  expect((await callApi(request, "grant_role", { name, role: "viewer", scope: "*/*" })).status()).toBe(200);
  const page = await freshPage(browser);
  await page.goto("/");
  await logIn(page, name, password);
  await expect(page.getByTestId("live-state")).toHaveText("live");
  // Logged out elsewhere (another tab): the socket is closed within one
  // recheck (5 s), and the page says why.
  const out = await page.context().request.post("/auth/logout", { headers: { Origin: baseURL, Accept: "application/json" } });
  expect(out.status()).toBe(204);
  await expect(page.getByTestId("live-state")).toHaveText("session ended: log in again", { timeout: 10_000 });
  await page.context().close();
});
