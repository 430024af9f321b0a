import { auditRow, escapeRegExp, expect, openHydrated, test } from "./helpers";

test.describe("RabbitMQ console", () => {
  test("exchange, queue with TTL and dead-letter exchange, binding, publish, inspect, policy, export, purge, delete", async ({ page }) => {
    test.setTimeout(120_000);
    const p = `e2e-rmq-${Date.now()}`;
    const [ex, dlx, q, pol] = [`${p}-ex`, `${p}-dlx`, `${p}-q`, `${p}-pol`];

    // Two exchanges.
    await openHydrated(page, "/rabbitmq/local/exchanges");
    const createEx = page.getByRole("region", { name: "Create exchange" });
    for (const name of [ex, dlx]) {
      await createEx.getByLabel("Name").fill(name);
      await createEx.getByRole("button", { name: "Create exchange" }).click();
      await expect(createEx.getByRole("status")).toHaveText(`Created exchange ${name}.`);
    }
    await expect(page.getByRole("row", { name: ex, exact: true })).toContainText("direct");

    // A queue with a TTL and a dead-letter exchange; a bad argument is refused first.
    await openHydrated(page, "/rabbitmq/local/queues");
    const createQ = page.getByRole("region", { name: "Create queue" });
    await createQ.getByLabel("Name").fill(q);
    await createQ.getByLabel("Arguments (x-…=value per line)").fill("x-message-ttl=soon");
    await createQ.getByRole("button", { name: "Create queue" }).click();
    await expect(createQ.getByRole("alert")).toContainText('x-message-ttl: "soon" is not a whole number');
    await createQ.getByLabel("Arguments (x-…=value per line)").fill(`x-message-ttl=60000\nx-dead-letter-exchange=${dlx}`);
    await createQ.getByRole("button", { name: "Create queue" }).click();
    await expect(page).toHaveURL(new RegExp(`/rabbitmq/local/queues/%2F/${q}$`));
    await expect(page.getByText('"x-dead-letter-exchange"')).toBeVisible();

    // Bind it and publish through the binding.
    const bind = page.getByRole("region", { name: "Bind from an exchange" });
    await bind.getByLabel("Exchange").fill(ex);
    await bind.getByLabel("Routing key").fill("orders");
    await bind.getByRole("button", { name: "Bind" }).click();
    await expect(page.getByRole("row", { name: `binding from ${ex}` })).toContainText("orders");
    const publish = page.getByRole("region", { name: "Publish a message" });
    await publish.getByLabel("Exchange (empty: default)").fill(ex);
    await publish.getByLabel("Routing key").fill("orders");
    await publish.getByLabel("Body").fill('{"order":42}');
    await publish.getByRole("button", { name: "Publish" }).click();
    await expect(publish.getByRole("status")).toHaveText("Published; a queue took it.");

    // Inspect: not a peek for a classic queue, so it is named and confirmed.
    const inspect = page.getByRole("region", { name: "Messages" });
    const get = inspect.getByRole("button", { name: "Get and requeue (marks messages redelivered)" });
    await expect(get).toBeDisabled();
    await inspect.getByLabel("I understand: get and requeue marks messages redelivered").check();
    await get.click();
    await expect(inspect.getByRole("status", { name: "Inspect result" })).toHaveText(
      "1 messages got and requeued (now marked redelivered)",
    );
    await expect(inspect.getByRole("row", { name: "message 0" })).toContainText('"order": 42');

    // A policy becomes the queue's effective policy.
    await openHydrated(page, "/rabbitmq/local/policies");
    const form = page.getByRole("region", { name: "Create or replace a policy" });
    await form.getByLabel("Policy name").fill(pol);
    await form.getByLabel("Pattern (regex)").fill(`^${q}$`);
    await form.getByLabel("Definition (key=value per line)").fill("max-length=5000");
    await form.getByRole("button", { name: "Save policy" }).click();
    await expect(form.getByRole("status")).toHaveText(`Saved policy ${pol}.`);
    await expect(page.getByRole("row", { name: pol })).toContainText('{"max-length":5000}');
    await openHydrated(page, `/rabbitmq/local/queues/%2F/${q}`);
    await expect(page.getByText('{"max-length":5000}')).toBeVisible({ timeout: 15_000 });

    // Export contains the queue.
    await openHydrated(page, "/rabbitmq/local/definitions");
    await page.getByRole("button", { name: "Export definitions" }).click();
    await expect(page.getByLabel("Exported definitions")).toHaveValue(new RegExp(q));

    // Purge (typed name) two more messages and the one requeued above (its
    // 60 s TTL has not run out), then delete everything.
    for (const body of ["second", "third"]) {
      // A fresh page each time, so the status line is this publish's own.
      await openHydrated(page, `/rabbitmq/local/queues/%2F/${q}`);
      await publish.getByLabel("Routing key").fill(q);
      await publish.getByLabel("Body").fill(body);
      await publish.getByRole("button", { name: "Publish" }).click();
      await expect(publish.getByRole("status")).toHaveText("Published; a queue took it.");
    }
    const purge = page.getByRole("region", { name: "Purge" });
    await purge.getByLabel("Queue name to purge").fill(q);
    await purge.getByRole("button", { name: "Purge queue" }).click();
    await expect(purge.getByRole("status")).toHaveText("Purged 3 ready messages.");
    await page.getByRole("region", { name: "Delete queue" }).getByRole("button", { name: "Delete queue" }).click();
    await expect(page).toHaveURL(/\/rabbitmq\/local\/queues$/);
    await openHydrated(page, "/rabbitmq/local/policies");
    // Deletes ask first, like every other delete; Cancel keeps the policy.
    const polRow = page.getByRole("row", { name: pol });
    await polRow.getByRole("button", { name: "Delete" }).click();
    await polRow.getByRole("button", { name: "Cancel" }).click();
    await expect(polRow.getByRole("button", { name: "Delete" })).toBeVisible();
    await polRow.getByRole("button", { name: "Delete" }).click();
    await expect(polRow.getByRole("group", { name: `Delete policy "${pol}" in vhost "/"?` })).toBeVisible();
    await polRow.getByRole("button", { name: "Yes: delete" }).click();
    await expect(page.getByRole("row", { name: pol })).toHaveCount(0);
    await openHydrated(page, "/rabbitmq/local/exchanges");
    for (const name of [ex, dlx]) {
      await page.getByRole("row", { name, exact: true }).getByRole("button", { name: "Delete if unused" }).click();
      await page.getByRole("row", { name, exact: true }).getByRole("button", { name: "Yes: delete if unused" }).click();
      await expect(page.getByRole("row", { name, exact: true })).toHaveCount(0);
    }

    await page.goto("/audit");
    for (const action of ["create_exchange", "create_queue", "create_binding", "publish_message", "get_requeue_messages", "put_policy", "purge_queue", "delete_queue", "delete_policy", "delete_exchange"]) {
      const rows = auditRow(page, action, new RegExp(escapeRegExp(p)));
      await expect(rows.first(), action).toBeVisible();
      for (const outcome of await rows.getByTestId("outcome").all()) {
        await expect(outcome, action).toHaveText("ok");
      }
    }
  });
});
