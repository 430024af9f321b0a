import { test, expect, auditRow } from "./helpers";
import { type Browser, type Page } from "@playwright/test";
import { baseURL } from "../playwright.config";

// Single sign-on through the sandbox's OpenID provider (npm oidc-provider,
// `scripts/sandbox start oidc`), configured in config/zkmq.toml: its groups
// map to roles under [auth.groups]. The provider's own development pages
// take any password; the login name picks the account and its groups.

async function freshPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  return context.newPage();
}

/** Clicks through the provider: its sign-in form, then its consent page. */
async function signInAtProvider(page: Page, login: string) {
  await page.getByRole("link", { name: "Sign in with Sandbox IdP" }).click();
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:9400\/interaction\//);
  await page.locator("input[name=login]").fill(login);
  await page.locator("input[name=password]").fill("any password works here");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
}

test("a deep link through the provider comes back signed in, with the roles of the user's groups", async ({ browser, page }) => {
  const user = await freshPage(browser);
  await user.goto("/kafka/local/topics");
  await expect(user).toHaveURL(`/login?next=${encodeURIComponent("/kafka/local/topics")}`);
  await signInAtProvider(user, "alice");
  await expect(user).toHaveURL(/\/kafka\/local\/topics$/);
  await expect(user.locator("body")).toHaveAttribute("data-hydrated", "true");

  // alice is in zkmq-kafka-ops: operator on Kafka, viewer elsewhere.
  const menu = user.getByRole("button", { name: "Signed in as alice" });
  await menu.click();
  const opened = user.locator("#user-menu");
  await expect(opened).toContainText("Signed in as alice (oidc)");
  await expect(opened.getByRole("listitem").filter({ hasText: "operator on kafka/*" })).toBeVisible();
  await expect(opened.getByRole("listitem").filter({ hasText: "viewer on */*" })).toBeVisible();
  await expect(user.getByRole("button", { name: "Create topic" })).toBeEnabled();
  await user.goto("/rabbitmq/local/queues");
  await expect(user.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(user.getByTestId("needs").first()).toHaveText("Disabled: needs operator on rabbitmq/local");

  // The admin's audit log has the login, by alice via oidc.
  await page.goto("/audit");
  const row = auditRow(page, "login", "alice");
  await expect(row.first().getByTestId("outcome")).toHaveText("ok");
  await expect(row.first().getByRole("cell", { name: /^alice via oidc/ })).toBeVisible();
  await user.context().close();
});

test("a password account cannot be taken over through the provider", async ({ browser }) => {
  const user = await freshPage(browser);
  await user.goto("/");
  await expect(user).toHaveURL(/\/login/);
  // "admin" is the console's own password account: the provider may say
  // someone is "admin", but that does not sign them in as zkmq's admin.
  await signInAtProvider(user, "admin");
  await expect(user).toHaveURL(/\/login\?next=%2F&error=sso_denied$/);
  await expect(user.getByRole("alert")).toContainText("may not sign in through single sign-on");
  await user.goto("/");
  await expect(user).toHaveURL(/\/login/);
  await user.context().close();
});
