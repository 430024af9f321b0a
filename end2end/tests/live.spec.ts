import { type Page } from "@playwright/test";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { RABBIT, RABBIT_AUTH, auditRow, callApi, expect, kafkaConsume, openHydrated, rabbitQueue, root, test } from "./helpers";

/**
 * A real producer (server/examples/live_load.rs, built next to the zkmq
 * binary): sends `count` messages and resolves once the broker acknowledged
 * them all. Runs beside the page, so the tail sees them arrive live.
 */
function liveProduce(args: string[]): Promise<string> {
  const bin = process.env.ZKMQ_BIN ?? path.join(root, "target", "debug", "zkmq");
  const example = path.join(path.dirname(bin), "examples", "live_load");
  return new Promise((resolve, reject) =>
    execFile(example, args, { encoding: "utf8", timeout: 120_000 }, (err, out, errOut) =>
      err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out.trim()),
    ),
  );
}

function produceKafka(topic: string, count: number, rate?: number, partition?: number) {
  const args = ["kafka", "--bootstrap", "127.0.0.1:9092", "--topic", topic, "--count", String(count)];
  if (rate) args.push("--rate", String(rate));
  if (partition !== undefined) args.push("--partition", String(partition));
  return liveProduce(args);
}

/** A counter's value as the page shows it (the dd labelled with its name). */
function counter(page: Page, name: string) {
  return page.getByRole("definition").and(page.getByLabel(name, { exact: true }));
}

async function createTopic(page: Page, topic: string, partitions: number) {
  const made = await callApi(page.request, "create_topic", {
    cluster: "local",
    name: topic,
    partitions: String(partitions),
    replication: "1",
    configs: "",
    preview: "false",
  });
  expect(made.status(), await made.text()).toBe(200);
}

test.describe("Live tail (Kafka)", () => {
  test("counts every message a real producer sends, shows them live, and opens one in full", async ({ page }) => {
    test.setTimeout(120_000);
    const topic = `e2e-live-${Date.now()}`;
    await createTopic(page, topic, 3);

    await openHydrated(page, "/kafka/local/live");
    await page.getByLabel("Topics (comma-separated)").fill(topic);
    await page.getByRole("button", { name: "Start tail" }).click();
    await expect(page).toHaveURL(new RegExp(`/kafka/local/live\\?topics=${topic}$`));
    await expect(page.getByRole("status", { name: "Tail state" })).toHaveText("live");

    expect(await produceKafka(topic, 3000, 1500)).toMatch(/^produced 3000 in/);
    // Every message counted exactly; the rows shown are what the browser
    // could take (credit), and the counts add up.
    await expect(counter(page, "Seen")).toHaveText("3,000", { timeout: 20_000 });
    await expect(counter(page, "Matched")).toHaveText("3,000");
    const shown = Number((await counter(page, "Shown").innerText()).replace(/,/g, ""));
    const sampled = Number((await counter(page, "Sampled out").innerText()).replace(/,/g, ""));
    expect(shown + sampled).toBe(3000);
    expect(shown).toBeGreaterThan(0);
    const list = page.getByRole("list", { name: "Live messages" });
    // Virtualized: a screenful of rows in the page, not thousands.
    const rendered = await list.getByRole("listitem").count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(60);
    await expect(page.getByRole("img", { name: /msg\/s now · peak \d[\d,]* msg\/s in the last 5 minutes/ })).toBeVisible();

    // The newest row first; a click reads the whole message back from Kafka.
    const first = list.getByRole("listitem").first().getByRole("button");
    await expect(first).toHaveAccessibleName(new RegExp(`^Topic ${topic}, Part\\. \\d, Offset \\d+, .*Value \\{"n":\\d+,"tag":"live"\\}$`));
    await first.click();
    const message = page.getByRole("region", { name: "Message" });
    await expect(message.getByLabel("Value", { exact: true })).toContainText(/"tag":\s*"live"/);
    await message.getByRole("button", { name: "Hex" }).click();
    await expect(message.getByLabel("Value", { exact: true })).toContainText("7b 22 6e 22");

    // Paused: still counted, nothing more shown; resumed: shown again.
    await page.getByRole("button", { name: "Pause" }).click();
    await expect(page.getByRole("status", { name: "Tail state" })).toHaveText("paused: counting, not showing");
    const shownPaused = await counter(page, "Shown").innerText();
    expect(await produceKafka(topic, 200)).toMatch(/^produced 200/);
    await expect(counter(page, "Seen")).toHaveText("3,200", { timeout: 20_000 });
    await expect(counter(page, "Shown")).toHaveText(shownPaused);
    await page.getByRole("button", { name: "Resume" }).click();
    expect(await produceKafka(topic, 10)).toMatch(/^produced 10/);
    await expect(counter(page, "Seen")).toHaveText("3,210", { timeout: 20_000 });
    await expect(counter(page, "Shown")).not.toHaveText(shownPaused);

    // Clear empties the rows kept here; the server's counts run on.
    await page.getByRole("button", { name: "Clear" }).click();
    await expect(counter(page, "Kept here")).toHaveText("0");
    await expect(list.getByRole("listitem")).toHaveCount(0);
    await expect(counter(page, "Seen")).toHaveText("3,210");
  });

  test("a deep link reopens a filtered tail from the last N per partition; bad input names its field", async ({ page }) => {
    test.setTimeout(90_000);
    const topic = `e2e-live-link-${Date.now()}`;
    await createTopic(page, topic, 2);
    expect(await produceKafka(topic, 20, undefined, 0)).toMatch(/^produced 20/);
    expect(await produceKafka(topic, 20, undefined, 1)).toMatch(/^produced 20/);

    // The last 5 per partition of 2 partitions, filtered on the JSON field.
    await openHydrated(page, `/kafka/local/live?topics=${topic}&start=last&n=5&filter=json&field=tag&text=live`);
    await expect(page.getByLabel("Topics (comma-separated)")).toHaveValue(topic);
    await expect(page.getByRole("button", { name: "Restart tail" })).toBeVisible();
    await expect(counter(page, "Seen")).toHaveText("10", { timeout: 20_000 });
    await expect(counter(page, "Matched")).toHaveText("10");

    // A filter that passes nothing still counts what it saw.
    await openHydrated(page, `/kafka/local/live?topics=${topic}&start=last&n=5&filter=substring&text=no-such-text`);
    await expect(counter(page, "Seen")).toHaveText("10", { timeout: 20_000 });
    await expect(counter(page, "Matched")).toHaveText("0");
    await expect(page.getByRole("list", { name: "Live messages" }).getByRole("listitem")).toHaveCount(0);

    // Bad input: the field says why, and nothing starts.
    await openHydrated(page, "/kafka/local/live");
    await page.getByLabel("Topics (comma-separated)").fill(topic);
    await page.getByLabel("Start").selectOption("last");
    await page.getByLabel("N / time").fill("0");
    await page.getByRole("button", { name: "Start tail" }).click();
    await expect(page.getByLabel("N / time")).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByRole("alert")).toContainText("n");
    await expect(page).toHaveURL(/\/kafka\/local\/live$/);

    // Every view is one audited operation, with its counts.
    await openHydrated(page, "/audit");
    await expect(auditRow(page, "live_tail", topic).first()).toBeVisible();
  });
});

function publishRabbit(exchange: string, routingKey: string, count: number, rate?: number) {
  const args = ["rabbit", "--url", "amqp://guest:guest@127.0.0.1:5672/%2f", "--exchange", exchange, "--routing-key", routingKey, "--count", String(count)];
  if (rate) args.push("--rate", String(rate));
  return liveProduce(args);
}

/** The sandbox broker's own view of a queue, through its management API. */
async function brokerQueues(page: Page): Promise<{ name: string; messages: number; consumers: number; exclusive: boolean }[]> {
  const r = await page.request.get(`${RABBIT}/queues/%2F?columns=name,messages,consumers,exclusive`, { headers: RABBIT_AUTH });
  expect(r.ok()).toBe(true);
  return r.json();
}

test.describe("Live tap (RabbitMQ)", () => {
  test("taps an exchange through its own queue, counts every message, robs no consumer, leaves nothing behind", async ({ page }) => {
    test.setTimeout(120_000);
    const stamp = Date.now();
    const exchange = `e2e-live-x-${stamp}`;
    const queue = `e2e-live-q-${stamp}`;
    // A real queue bound to a real topic exchange: what the tap must not touch.
    let r = await page.request.put(`${RABBIT}/exchanges/%2F/${exchange}`, { headers: RABBIT_AUTH, data: { type: "topic", durable: false } });
    expect(r.ok(), await r.text()).toBe(true);
    await rabbitQueue(page.request, queue, {});
    r = await page.request.post(`${RABBIT}/bindings/%2F/e/${exchange}/q/${queue}`, { headers: RABBIT_AUTH, data: { routing_key: "orders.#" } });
    expect(r.ok(), await r.text()).toBe(true);

    // From the exchanges page, the exchange's tap.
    await openHydrated(page, "/rabbitmq/local/exchanges");
    await page.getByRole("row", { name: exchange, exact: true }).getByRole("link", { name: "Live tap" }).click();
    await expect(page).toHaveURL(new RegExp(`/rabbitmq/local/live\\?vhost=%2F&exchange=${exchange}$`));
    await expect(page.getByText("What a tap does to the broker")).toBeVisible();
    await expect(page.getByRole("status", { name: "Tap state" })).toHaveText("live", { timeout: 20_000 });
    await expect(page.getByLabel("Tap queue")).toContainText(`${exchange} ← "#"`);
    const tapQueue = (await page.getByLabel("Tap queue").innerText()).match(/Tap queue (\S+),/)?.[1];
    expect(tapQueue).toMatch(/^amq\.gen-/);
    // The broker's statistics lag a few seconds behind.
    await expect
      .poll(async () => (await brokerQueues(page)).find((q) => q.name === tapQueue), { timeout: 20_000 })
      .toMatchObject({ exclusive: true, consumers: 1 });

    expect(await publishRabbit(exchange, "orders.eu", 2000, 1000)).toMatch(/^produced 2000/);
    await expect(counter(page, "Seen")).toHaveText("2,000", { timeout: 20_000 });
    // The real queue got every one of them: the tap took nothing from it.
    await expect
      .poll(async () => (await brokerQueues(page)).find((q) => q.name === queue)?.messages, { timeout: 20_000 })
      .toBe(2000);

    const list = page.getByRole("list", { name: "Live messages" });
    const first = list.getByRole("listitem").first().getByRole("button");
    await expect(first).toHaveAccessibleName(new RegExp(`^Exchange ${exchange}, # \\d+, Time .*, Routing key orders\\.eu, Value \\{"n":\\d+,"tag":"live"\\}$`));
    await first.click();
    await expect(page.getByRole("region", { name: "Message" }).getByLabel("Value", { exact: true })).toContainText(/"tag":\s*"live"/);

    // Leaving the page ends the tap: its queue and connection are gone.
    await openHydrated(page, "/rabbitmq/local");
    await expect.poll(async () => (await brokerQueues(page)).some((q) => q.name === tapQueue), { timeout: 20_000 }).toBe(false);

    // The default exchange cannot be bound: the field says so.
    await openHydrated(page, "/rabbitmq/local/live?vhost=%2F&exchange=amq.default");
    await expect(page.getByRole("alert")).toContainText("the default exchange cannot be bound");
  });

  test("a queue's live view taps its bindings and never consumes from it", async ({ page }) => {
    test.setTimeout(90_000);
    const queue = `e2e-live-qv-${Date.now()}`;
    await rabbitQueue(page.request, queue, {});
    const r = await page.request.post(`${RABBIT}/bindings/%2F/e/amq.direct/q/${queue}`, { headers: RABBIT_AUTH, data: { routing_key: queue } });
    expect(r.ok(), await r.text()).toBe(true);
    await openHydrated(page, `/rabbitmq/local/queues/%2F/${queue}`);
    await page.getByRole("link", { name: "Live view of this queue" }).click();
    await expect(page.getByRole("status", { name: "Tap state" })).toHaveText("live", { timeout: 20_000 });
    await expect(page.getByLabel("Tap queue")).toContainText(`amq.direct ← "${queue}"`);
    await expect(page.getByLabel("Tap queue")).toContainText("the default exchange");
    expect(await publishRabbit("amq.direct", queue, 300)).toMatch(/^produced 300/);
    await expect(counter(page, "Seen")).toHaveText("300", { timeout: 20_000 });
    await expect
      .poll(async () => (await brokerQueues(page)).find((q) => q.name === queue), { timeout: 20_000 })
      .toMatchObject({ messages: 300, consumers: 0 });
  });
});

test.describe("Flow graphs", () => {
  test("Kafka: a topic and the group consuming it, with lag, each a link to its page", async ({ page }) => {
    test.setTimeout(120_000);
    const topic = `e2e-flow-${Date.now()}`;
    const group = `e2e-flow-group-${Date.now()}`;
    await createTopic(page, topic, 2);
    expect(await produceKafka(topic, 50)).toMatch(/^produced 50/);
    kafkaConsume(topic, group, 50);
    await openHydrated(page, "/kafka/local/flows");
    await page.getByLabel("Filter by name").fill(group);
    const graph = page.getByRole("group", { name: "Flow graph" });
    // The filter keeps the group and the topic it reads.
    const groupNode = graph.getByRole("link", { name: new RegExp(`^${group}: Empty · 0 members · consumes .* · lag 0`) });
    await expect(groupNode).toBeVisible({ timeout: 20_000 });
    await expect(graph.getByRole("link", { name: new RegExp(`^${topic}: in `) })).toBeVisible();
    await expect(page.getByLabel("Flow summary")).toContainText("2 of");
    await groupNode.click();
    await expect(page).toHaveURL(new RegExp(`/kafka/local/groups/${group}$`));
  });

  test("RabbitMQ: an exchange, the queue it feeds and the connection consuming it", async ({ page }) => {
    test.setTimeout(120_000);
    const stamp = Date.now();
    const exchange = `e2e-flow-x-${stamp}`;
    const queue = `e2e-flow-q-${stamp}`;
    let r = await page.request.put(`${RABBIT}/exchanges/%2F/${exchange}`, { headers: RABBIT_AUTH, data: { type: "topic", durable: false } });
    expect(r.ok()).toBe(true);
    await rabbitQueue(page.request, queue, {});
    r = await page.request.post(`${RABBIT}/bindings/%2F/e/${exchange}/q/${queue}`, { headers: RABBIT_AUTH, data: { routing_key: "flow.#" } });
    expect(r.ok()).toBe(true);
    // A real consumer waiting on the queue while the graph is open.
    const consumer = liveProduce(["rabbit-consume", "--url", "amqp://guest:guest@127.0.0.1:5672/%2f", "--queue", queue, "--count", "200"]);
    await openHydrated(page, "/rabbitmq/local/flows?vhost=%2F");
    await page.getByLabel("Filter by name").fill(queue);
    const graph = page.getByRole("group", { name: "Flow graph" });
    await expect(graph.getByRole("link", { name: new RegExp(`^${exchange}: topic · in `) })).toBeVisible({ timeout: 20_000 });
    await expect(graph.getByRole("link", { name: new RegExp(`^${queue}: \\d+ messages .* · 1 consumer$`) })).toBeVisible({ timeout: 20_000 });
    await expect(graph.getByRole("link", { name: /consumes from 1 queue$/ })).toBeVisible();
    expect(await publishRabbit(exchange, "flow.eu", 200)).toMatch(/^produced 200/);
    expect(await consumer).toMatch(/^consumed 200/);
    await graph.getByRole("link", { name: new RegExp(`^${queue}: `) }).click();
    await expect(page).toHaveURL(new RegExp(`/rabbitmq/local/queues/%2F/${queue}$`));
    await page.request.delete(`${RABBIT}/queues/%2F/${queue}`, { headers: RABBIT_AUTH });
  });
});
