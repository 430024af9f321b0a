import { test as setup, expect } from "@playwright/test";
import { admin, adminState } from "../playwright.config";

// Every spec starts signed in as the first-start admin: log in once, through
// the real login page, and keep the browser's state for the other projects.
setup("log in as the admin", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login\?next=%2F$/);
  await page.getByLabel("User name").fill(admin.name);
  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await page.context().storageState({ path: adminState });
});
