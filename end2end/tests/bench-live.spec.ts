import { type APIRequestContext, type Page } from "@playwright/test";
import { execFile } from "node:child_process";
import { RABBIT, RABBIT_AUTH, callApi, expect, openHydrated, rabbitQueue, test } from "./helpers";

// Live-view figures for docs/PERFORMANCE.md (issue 15). `scripts/bench live`
// runs this against a release build with ZKMQ_BENCH_RUNS=<runs> and
// ZKMQ_LIVE_LOAD=<the live_load example>: real producers and bare consumers
// (the yardsticks). Skipped in the ordinary test run.
const runs = Number(process.env.ZKMQ_BENCH_RUNS ?? 0);
const tool = process.env.ZKMQ_LIVE_LOAD ?? "";
const soakSeconds = Number(process.env.ZKMQ_BENCH_LIVE_SECONDS ?? 300);
const BOOTSTRAP = "127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094";
const AMQP = "amqp://guest:guest@127.0.0.1:5672/%2f";

const sorted = (v: number[]) => [...v].sort((a, b) => a - b);
const median = (v: number[]) => sorted(v)[Math.floor(v.length / 2)];
const quantile = (v: number[], q: number) => sorted(v)[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)];
const fmt = (v: number[], d = 0) => v.map((x) => x.toFixed(d)).join(",");

function load(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(tool, args, { encoding: "utf8", timeout: 20 * 60_000 }, (err, out, errOut) =>
      err ? reject(new Error(`${args.join(" ")}: ${err.message}\n${out}\n${errOut}`)) : resolve(out.trim()),
    ),
  );
}

/** "produced N in S s" / "read N in S s" → [N, seconds]. */
function parseRun(out: string): [number, number] {
  const m = out.match(/(\d+) in ([\d.]+) s/);
  expect(m, out).not.toBeNull();
  return [Number(m![1]), Number(m![2])];
}

async function metric(request: APIRequestContext, re: RegExp): Promise<number> {
  const text = await (await request.get("/metrics")).text();
  const m = text.match(re);
  expect(m, `${re} in /metrics`).not.toBeNull();
  return Number(m![1]);
}
const rssMiB = async (r: APIRequestContext) => Math.round((await metric(r, /^process_resident_memory_bytes (\d+)$/m)) / 2 ** 20);

async function topic(page: Page, partitions: number): Promise<string> {
  const name = `bench-live-${Date.now()}`;
  const r = await callApi(page.request, "create_topic", {
    cluster: "local", name, partitions: String(partitions), replication: "1", configs: "", preview: "false",
  });
  expect(r.status(), await r.text()).toBe(200);
  return name;
}

/** A counter as a number (the page groups digits). */
async function count(page: Page, name: string): Promise<number> {
  const dd = page.getByRole("definition").and(page.getByLabel(name, { exact: true }));
  return Number((await dd.innerText()).replace(/,/g, "").split(" ")[0]);
}

/**
 * Records, from the navigation's start, when the Seen counter first reads
 * `target`. Installed before the page's own scripts.
 */
async function recordSeen(page: Page, target: number) {
  await page.addInitScript((t: number) => {
    const w = window as unknown as { __seenAt?: number };
    const v = w as unknown as { __firstAt?: number; __firstSeen?: number };
    const obs = new MutationObserver(() => {
      const dd = document.querySelector('dd[aria-label="Seen"]');
      const seen = dd ? Number((dd.textContent ?? "").replace(/,/g, "")) : 0;
      // The first counter that moved: from here on it is steady ingest.
      if (v.__firstAt === undefined && seen > 0) {
        v.__firstAt = performance.now();
        v.__firstSeen = seen;
      }
      if (w.__seenAt === undefined && seen === t) {
        w.__seenAt = performance.now();
        obs.disconnect();
      }
    });
    obs.observe(document, { subtree: true, childList: true, characterData: true });
  }, target);
}

test.describe("@bench live views", () => {
  test.skip(!runs || !tool, "benchmark: run through scripts/bench live");

  test("@bench Kafka ingest: zkmq's tail against a bare consumer on the same messages", async ({ browser }) => {
    test.setTimeout(40 * 60_000);
    const perPartition = 100_000;
    const n = 6 * perPartition;
    const tail: number[] = [];
    const bare: number[] = [];
    const bareSteady: number[] = [];
    const tailSteady: number[] = [];
    const produced: number[] = [];
    const exact: boolean[] = [];
    for (let run = 0; run < Math.min(runs, 5); run++) {
      const page = await browser.newPage();
      const t = await topic(page, 6);
      // 100-byte messages at full speed: the producer's own rate is a figure too.
      const [acked, secs] = parseRun(await load(["kafka", "--bootstrap", BOOTSTRAP, "--topic", t, "--count", String(n), "--size", "100"]));
      expect(acked).toBe(n);
      produced.push(n / secs);
      // Side by side, alternating which goes first: the same backlog, read
      // from its start by zkmq's tail (counted on the page) and by a bare
      // assign-based rdkafka consumer.
      const order = run % 2 === 0 ? ["bare", "tail"] : ["tail", "bare"];
      for (const who of order) {
        if (who === "bare") {
          const out = await load(["kafka-read", "--bootstrap", BOOTSTRAP, "--topic", t, "--count", String(n)]);
          const [read, s] = parseRun(out);
          expect(read).toBe(n);
          bare.push(n / s);
          bareSteady.push(Number(out.match(/steady (\d+) msg\/s/)![1]));
        } else {
          await recordSeen(page, n);
          await page.goto(`/kafka/local/live?topics=${t}&start=time&n=0`, { waitUntil: "commit" });
          await page.waitForFunction(() => (window as unknown as { __seenAt?: number }).__seenAt !== undefined, null, { timeout: 10 * 60_000 });
          const [ms, firstAt, firstSeen] = await page.evaluate(() => {
            const w = window as unknown as { __seenAt: number; __firstAt: number; __firstSeen: number };
            return [w.__seenAt, w.__firstAt, w.__firstSeen];
          });
          tail.push(n / (ms / 1000));
          tailSteady.push((n - firstSeen) / ((ms - firstAt) / 1000));
          exact.push((await count(page, "Seen")) === n && (await count(page, "Dropped")) === 0);
        }
      }
      await page.close();
    }
    const ratio = median(tail) / median(bare);
    console.log(`BENCH live kafka_backlog messages=${n} partitions=6 value_bytes=100 runs=${tail.length}`);
    console.log(`BENCH live kafka_backlog producer_msg_s=${fmt(produced)} producer_median=${median(produced).toFixed(0)}`);
    console.log(`BENCH live kafka_backlog bare_consumer_msg_s=${fmt(bare)} bare_median=${median(bare).toFixed(0)}`);
    console.log(`BENCH live kafka_backlog zkmq_tail_msg_s=${fmt(tail)} zkmq_median=${median(tail).toFixed(0)} (page load to last message counted)`);
    console.log(`BENCH live kafka_backlog ratio_zkmq_to_bare=${ratio.toFixed(2)} counted_exactly=${exact.every(Boolean)}`);
    // Steady ingest, first message to last on both sides: what a busy topic
    // costs once the tail runs (the page load, hydration, socket and assign
    // above are a fixed cost of about a second, not a rate).
    const steadyRatio = median(tailSteady) / median(bareSteady);
    console.log(`BENCH live kafka_backlog steady bare_msg_s=${fmt(bareSteady)} bare_median=${median(bareSteady).toFixed(0)} zkmq_msg_s=${fmt(tailSteady)} zkmq_median=${median(tailSteady).toFixed(0)} ratio=${steadyRatio.toFixed(2)}`);
    expect(exact.every(Boolean)).toBe(true);

    // Live: a tail open from now while a producer runs at full speed.
    const page = await browser.newPage();
    const t = await topic(page, 6);
    await openHydrated(page, `/kafka/local/live?topics=${t}`);
    await expect(page.getByRole("status", { name: "Tail state" })).toHaveText("live");
    const [acked, secs] = parseRun(await load(["kafka", "--bootstrap", BOOTSTRAP, "--topic", t, "--count", String(n), "--size", "100"]));
    const done = Date.now();
    await expect.poll(() => count(page, "Seen"), { timeout: 5 * 60_000, intervals: [50] }).toBe(acked);
    const behind = Date.now() - done;
    console.log(`BENCH live kafka_live produced=${acked} producer_msg_s=${(acked / secs).toFixed(0)} counted=${await count(page, "Seen")} dropped=${await count(page, "Dropped")} counted_all_${behind}_ms_after_the_producer_finished`);
    await page.close();
  });

  test("@bench produce → visible row at 1,000 msg/s", async ({ page }) => {
    test.setTimeout(5 * 60_000);
    const t = await topic(page, 6);
    // Each time the list's newest row changes: now − that message's timestamp
    // (producer and browser share the clock).
    await page.addInitScript(() => {
      const w = window as unknown as { __lat: number[] };
      w.__lat = [];
      let last = "";
      const obs = new MutationObserver(() => {
        const first = document.querySelector('[role="list"][aria-label="Live messages"] [role="listitem"] button');
        const name = first?.getAttribute("aria-label") ?? "";
        if (!name || name === last) return;
        last = name;
        const ts = name.match(/Timestamp (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d+) UTC/);
        if (ts) w.__lat.push(Date.now() - Date.parse(`${ts[1]}T${ts[2]}Z`));
      });
      obs.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-label"] });
    });
    await openHydrated(page, `/kafka/local/live?topics=${t}`);
    await expect(page.getByRole("status", { name: "Tail state" })).toHaveText("live");
    await load(["kafka", "--bootstrap", BOOTSTRAP, "--topic", t, "--count", "30000", "--rate", "1000"]);
    const lat = await page.evaluate(() => (window as unknown as { __lat: number[] }).__lat);
    expect(lat.length).toBeGreaterThan(100);
    console.log(`BENCH live latency rate_msg_s=1000 seconds=30 samples=${lat.length} p50_ms=${quantile(lat, 0.5)} p99_ms=${quantile(lat, 0.99)} max_ms=${Math.max(...lat)}`);
  });

  test("@bench five minutes at a high rate: browser heap and DOM flat, server RSS flat, ten tabs one consumer", async ({ browser, page }) => {
    test.setTimeout((soakSeconds + 300) * 1000);
    const t = await topic(page, 6);
    const rate = 20_000;
    await openHydrated(page, `/kafka/local/live?topics=${t}`);
    await expect(page.getByRole("status", { name: "Tail state" })).toHaveText("live");
    // Nine more tabs on the same tail: still one consumer.
    const tabs: Page[] = [];
    for (let i = 0; i < 9; i++) {
      const p = await browser.newPage();
      await openHydrated(p, `/kafka/local/live?topics=${t}`);
      await expect(p.getByRole("status", { name: "Tail state" })).toHaveText("live");
      tabs.push(p);
    }
    const consumers = await metric(page.request, /^zkmq_live_taps\{backend="kafka",cluster="local"\} (\d+)$/m);
    console.log(`BENCH live ten_tabs kafka_taps=${consumers}`);
    expect(consumers).toBe(1);
    for (const p of tabs) await p.close();

    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    const sample = async () => {
      const { metrics } = await cdp.send("Performance.getMetrics");
      const get = (k: string) => metrics.find((m: { name: string }) => m.name === k)?.value ?? 0;
      return { heap: Math.round(get("JSHeapUsedSize") / 2 ** 20), nodes: get("Nodes"), rss: await rssMiB(page.request) };
    };
    const producer = load(["kafka", "--bootstrap", BOOTSTRAP, "--topic", t, "--count", String(rate * soakSeconds), "--rate", String(rate), "--size", "100"]);
    const samples: { heap: number; nodes: number; rss: number }[] = [];
    const step = Math.max(10, Math.floor(soakSeconds / 10));
    for (let s = 0; s < soakSeconds; s += step) {
      await page.waitForTimeout(step * 1000);
      samples.push(await sample());
    }
    const [acked] = parseRun(await producer);
    await expect.poll(() => count(page, "Seen"), { timeout: 120_000 }).toBe(acked);
    console.log(`BENCH live soak seconds=${soakSeconds} rate_msg_s=${rate} produced=${acked} counted=${await count(page, "Seen")} dropped=${await count(page, "Dropped")} shown=${await count(page, "Shown")}`);
    console.log(`BENCH live soak every_${step}s js_heap_mib=${samples.map((x) => x.heap).join(",")}`);
    console.log(`BENCH live soak every_${step}s dom_nodes=${samples.map((x) => x.nodes).join(",")}`);
    console.log(`BENCH live soak every_${step}s server_rss_mib=${samples.map((x) => x.rss).join(",")}`);
    expect(Math.max(...samples.map((x) => x.heap))).toBeLessThan(150);
  });

  test("@bench RabbitMQ: 100,000 messages with a real consumer while a tap is open", async ({ page }) => {
    test.setTimeout(20 * 60_000);
    const n = 100_000;
    const stamp = Date.now();
    const exchange = `bench-live-x-${stamp}`;
    const queue = `bench-live-q-${stamp}`;
    let r = await page.request.put(`${RABBIT}/exchanges/%2F/${exchange}`, { headers: RABBIT_AUTH, data: { type: "topic", durable: false } });
    expect(r.ok()).toBe(true);
    await rabbitQueue(page.request, queue, {});
    r = await page.request.post(`${RABBIT}/bindings/%2F/e/${exchange}/q/${queue}`, { headers: RABBIT_AUTH, data: { routing_key: "bench.#" } });
    expect(r.ok()).toBe(true);
    await openHydrated(page, `/rabbitmq/local/live?vhost=%2F&exchange=${exchange}`);
    await expect(page.getByRole("status", { name: "Tap state" })).toHaveText("live", { timeout: 30_000 });
    const consumer = load(["rabbit-consume", "--url", AMQP, "--queue", queue, "--count", String(n)]);
    const [published, secs] = parseRun(await load(["rabbit", "--url", AMQP, "--exchange", exchange, "--routing-key", "bench.eu", "--count", String(n), "--size", "100"]));
    const [consumed, csecs] = parseRun(await consumer);
    await expect.poll(() => count(page, "Seen"), { timeout: 120_000 }).toBe(published);
    const seen = await count(page, "Seen");
    const shown = await count(page, "Shown");
    const sampled = await count(page, "Sampled out");
    const dropped = await count(page, "Dropped");
    const x = await (await page.request.get(`${RABBIT}/exchanges/%2F/${exchange}`, { headers: RABBIT_AUTH })).json();
    console.log(`BENCH live rabbit published=${published} publish_msg_s=${(published / secs).toFixed(0)} real_consumer_received=${consumed} in_${csecs}_s`);
    console.log(`BENCH live rabbit tap seen=${seen} shown=${shown} sampled_out=${sampled} dropped=${dropped} shown+sampled+dropped=${shown + sampled + dropped}`);
    console.log(`BENCH live rabbit management_api publish_in=${x.message_stats?.publish_in ?? "?"} publish_out=${x.message_stats?.publish_out ?? "?"} (stats lag up to 5 s)`);
    expect(consumed).toBe(n);
    await page.request.delete(`${RABBIT}/queues/%2F/${queue}`, { headers: RABBIT_AUTH });
    await page.request.delete(`${RABBIT}/exchanges/%2F/${exchange}`, { headers: RABBIT_AUTH });
  });
});
