import { allowConsole, test, expect, openHydrated, sandbox, sandboxAsync, sandboxVersions } from "./helpers";

test.describe("Overview", () => {
  test("lists every configured cluster as reachable, with versions and latency", async ({ page }) => {
    await openHydrated(page, "/");
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
    const zk = page.getByRole("row", { name: "ZooKeeper Sandbox ensemble" });
    const kafka = page.getByRole("row", { name: "Kafka Sandbox Kafka" });
    const rabbit = page.getByRole("row", { name: "RabbitMQ Sandbox RabbitMQ" });
    for (const row of [zk, kafka, rabbit]) {
      await expect(row.getByText("reachable", { exact: true })).toBeVisible({ timeout: 20_000 });
      await expect(row.locator("[data-field=latency]")).toHaveText(/^\d+(\.\d+)? ms$/);
    }
    // The versions the sandbox's servers report themselves.
    const v = sandboxVersions();
    await expect(zk.locator("[data-field=version]")).toHaveText(v.zookeeper);
    await expect(zk).toContainText("3 of 3 members serving");
    await expect(kafka.locator("[data-field=version]")).toHaveText(v.kafkaLine);
    await expect(kafka).toContainText("3 brokers");
    await expect(rabbit.locator("[data-field=version]")).toHaveText(v.rabbitmq);
    await expect(page.getByTestId("live-state")).toHaveText("live");
  });

  test("a stopped RabbitMQ turns unreachable within 5 s while the others stay green, and recovers", async ({ page }) => {
    test.setTimeout(180_000);
    await openHydrated(page, "/");
    const rabbit = page.getByRole("row", { name: "RabbitMQ Sandbox RabbitMQ" });
    const zk = page.getByRole("row", { name: "ZooKeeper Sandbox ensemble" });
    const kafka = page.getByRole("row", { name: "Kafka Sandbox Kafka" });
    await expect(rabbit.getByText("reachable", { exact: true })).toBeVisible({ timeout: 20_000 });
    try {
      // Measured from the moment the stop begins (a clean stop takes ~8 s; the
      // management listener goes early). The page is live: no reload.
      const stopped = sandboxAsync("stop", "rabbitmq");
      await expect(rabbit.getByText("unreachable", { exact: true })).toBeVisible({ timeout: 5_000 });
      expect(await stopped).toBe(0);
      await expect(rabbit).toContainText("RabbitMQ cluster \"local\" is unreachable");
      await expect(zk.getByText("reachable", { exact: true })).toBeVisible();
      await expect(kafka.getByText("reachable", { exact: true })).toBeVisible();

      // Its own page shows a banner naming the cluster (and may answer 503
      // when the error is known before the page's head is sent); the other
      // backends' pages still work.
      allowConsole(page, /status of 503 .*\/rabbitmq\/local\)$/);
      await page.goto("/rabbitmq/local");
      await expect(page.getByRole("alert")).toContainText("RabbitMQ cluster \"local\"");
      await page.goto("/ensemble/local");
      await expect(page.getByRole("row", { name: "127.0.0.1:2181" })).toBeVisible();
      await expect(page.getByRole("alert")).toHaveCount(0);
      await openHydrated(page, "/");
    } finally {
      sandbox("start", "rabbitmq");
    }
    await expect(rabbit.getByText("reachable", { exact: true })).toBeVisible({ timeout: 15_000 });
  });
});
