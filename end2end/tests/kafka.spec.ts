import { type Page } from "@playwright/test";
import { auditRow, expect, kafkaConsume, openHydrated, test } from "./helpers";

async function produce(page: Page, value: string) {
  const form = page.getByRole("region", { name: "Produce a message" });
  await form.getByLabel("Partition (empty: partitioner)").fill("0");
  await form.getByLabel("Value", { exact: true }).fill(value);
  await form.getByRole("button", { name: "Produce" }).click();
  await expect(form.getByRole("status")).toContainText("Produced to partition 0 at offset");
}

test.describe("Kafka console", () => {
  test("create a topic, produce, browse, consume with lag to zero, alter a config, delete", async ({ page }) => {
    test.setTimeout(180_000);
    const topic = `e2e-topic-${Date.now()}`;
    const group = `e2e-group-${Date.now()}`;

    // Create, after a preview the brokers validated.
    await openHydrated(page, "/kafka/local/topics");
    const create = page.getByRole("region", { name: "Create topic" });
    await create.getByLabel("Name").fill(topic);
    await create.getByLabel("Partitions").fill("2");
    await create.getByLabel("Replication factor").fill("2");
    await create.getByLabel("Configs (key=value per line)").fill("retention.ms=3600000");
    await create.getByRole("button", { name: "Preview" }).click();
    await expect(create.getByRole("region", { name: "The brokers accept this" })).toContainText(
      `create topic "${topic}" with 2 partitions × 2 replicas`,
    );
    await create.getByLabel("Replication factor").fill("4");
    await create.getByRole("button", { name: "Preview" }).click();
    await expect(create.getByRole("alert")).toContainText("replication factor 4 larger than the 3 available brokers");
    await create.getByLabel("Replication factor").fill("2");
    await create.getByRole("button", { name: "Create topic" }).click();
    await expect(page).toHaveURL(new RegExp(`/kafka/local/topics/${topic}$`));
    await expect(page.getByRole("heading", { name: topic })).toBeVisible();
    await expect(page.getByRole("row", { name: "retention.ms", exact: true })).toContainText("3600000");
    await expect(page.getByRole("row", { name: "retention.ms", exact: true })).toContainText("override");

    // Produce three messages, then browse them.
    for (const i of [1, 2, 3]) await produce(page, `{"order":{"id":${i}}}`);
    const messages = page.getByRole("region", { name: "Messages" });
    await messages.getByRole("button", { name: "Read messages" }).click();
    await expect(messages.getByRole("status", { name: "Browse result" })).toContainText(
      "3 shown · scanned 3 · reached the end of the partition",
    );
    await expect(messages.getByRole("row", { name: "offset 1" })).toContainText('"id": 2');
    // A server-side JSON filter: one match, three scanned.
    await messages.getByLabel("Filter", { exact: true }).selectOption("json");
    await messages.getByLabel("JSON field").fill("order.id");
    await messages.getByLabel("Filter text / value").fill("3");
    await messages.getByRole("button", { name: "Read messages" }).click();
    await expect(messages.getByRole("status", { name: "Browse result" })).toContainText("1 shown · scanned 3");
    // Two at a time from offset 0, then "load more" appends the rest (Enter reads).
    await messages.getByLabel("Filter", { exact: true }).selectOption("none");
    await messages.getByLabel("Start from").selectOption("offset");
    await messages.getByLabel("N / offset / time").fill("0");
    await messages.getByLabel("Limit").fill("2");
    await messages.getByLabel("Limit").press("Enter");
    await expect(messages.getByRole("status", { name: "Browse result" })).toContainText("2 shown · scanned 2 · reached the limit");
    await messages.getByRole("button", { name: "Load more from offset 2" }).click();
    await expect(messages.getByRole("status", { name: "Browse result" })).toContainText(
      "3 shown · scanned 3 · reached the end of the partition",
    );
    await expect(messages.getByRole("row", { name: /^offset \d$/ })).toHaveCount(3);
    await expect(messages.getByRole("button", { name: /Load more/ })).toHaveCount(0);

    // A real consumer reads one message: lag 2. Then the rest: lag 0.
    kafkaConsume(topic, group, 1);
    await openHydrated(page, `/kafka/local/groups/${group}`);
    await expect(page.getByRole("status", { name: "Group summary" })).toContainText("total lag 2");
    kafkaConsume(topic, group, 2);
    // The group page refreshes itself every 5 s.
    await expect(page.getByRole("status", { name: "Group summary" })).toContainText("total lag 0", { timeout: 15_000 });
    await expect(page.getByRole("status", { name: "Group summary" })).toContainText("Empty");

    // Alter a config: preview shows before → after, apply changes it.
    await openHydrated(page, `/kafka/local/topics/${topic}`);
    const edit = page.getByRole("region", { name: "Change configs" });
    await edit.getByLabel("Set (key=value per line)").fill("retention.ms=7200000");
    await edit.getByRole("button", { name: "Preview change" }).click();
    const preview = edit.getByRole("region", { name: "Preview (validated by the brokers, not applied)" });
    await expect(preview.getByRole("row", { name: "retention.ms", exact: true })).toContainText("3600000");
    await expect(preview.getByRole("row", { name: "retention.ms", exact: true })).toContainText("7200000");
    await edit.getByRole("button", { name: "Apply change" }).click();
    await expect(page.getByRole("row", { name: "retention.ms", exact: true }).first()).toContainText("7200000");

    await page.goto("/audit");
    const altered = auditRow(page, "alter_topic_config", topic);
    await expect(altered.getByTestId("outcome")).toHaveText("ok");
    await altered.getByText("values").click();
    await expect(altered).toContainText('before: {"retention.ms":"3600000"}');
    await expect(altered).toContainText('after: {"retention.ms":"7200000"}');

    // Delete: the name must be typed.
    await openHydrated(page, `/kafka/local/topics/${topic}`);
    const del = page.getByRole("region", { name: "Delete topic" });
    await del.getByLabel("Topic name").fill("wrong");
    await del.getByRole("button", { name: "Delete topic" }).click();
    await expect(del.getByRole("alert")).toContainText(`type the topic name "${topic}" exactly`);
    await del.getByLabel("Topic name").fill(topic);
    await del.getByRole("button", { name: "Delete topic" }).click();
    await expect(page).toHaveURL(/\/kafka\/local\/topics$/);
    await page.getByLabel("Filter by name").fill(topic);
    await expect(page.getByRole("status", { name: "Topic count" })).toContainText("0 of 0 matching");
  });

  test("the topic list pages and sorts on the server; the cluster page names the controller", async ({ page }) => {
    await openHydrated(page, "/kafka/local");
    await expect(page.getByRole("row", { name: /^broker \d$/ })).toHaveCount(3);
    await expect(page.getByRole("cell", { name: "controller", exact: true })).toHaveCount(1);
    await openHydrated(page, "/kafka/local/topics");
    await page.getByLabel("Show internal topics").check();
    await expect(page.getByRole("row", { name: "__consumer_offsets" })).toBeVisible();
    await page.getByRole("button", { name: "Partitions" }).click();
    await page.getByRole("button", { name: "Partitions ▲" }).click();
    // Descending by partitions: the 50-partition offsets topic comes first.
    await expect(page.getByRole("row").nth(1)).toHaveAccessibleName("__consumer_offsets");
  });
});
