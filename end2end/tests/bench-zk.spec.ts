import { type APIRequestContext, type Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { test, expect, openHydrated } from "./helpers";

// Browser figures for docs/PERFORMANCE.md (issue 7). `scripts/bench` runs this
// against a release build with ZKMQ_BENCH_RUNS=<runs> and ZKMQ_ZK_BENCH=<the
// zk_bench example>, a plain zookeeper-client program that seeds the znodes and
// plays "another client". Skipped in the ordinary test run.
const runs = Number(process.env.ZKMQ_BENCH_RUNS ?? 0);
const tool = process.env.ZKMQ_ZK_BENCH ?? "";
const BASE = "/zkmq-bench-browser";

// The raw client talks to the member the console was pinned to (scripts/bench
// sets both), so a ratio compares one member's answers with themselves.
const member = process.env.ZKMQ_BENCH_ZK_MEMBER;

function zkBench(...args: string[]): string {
  const hosts = member ? ["--hosts", member] : [];
  return execFileSync(tool, [...args, ...hosts], { encoding: "utf8", timeout: 20 * 60_000 });
}

const sorted = (v: number[]) => [...v].sort((a, b) => a - b);
const median = (v: number[]) => sorted(v)[Math.floor(v.length / 2)];
/** The q-quantile by the nearest-rank method (p99 of 200 samples: the 198th). */
const quantile = (v: number[], q: number) => sorted(v)[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)];
const fmt = (v: number[]) => v.map((x) => x.toFixed(1)).join(",");

async function rssMiB(request: APIRequestContext): Promise<number> {
  const text = await (await request.get("/metrics")).text();
  const m = text.match(/^process_resident_memory_bytes (\d+)$/m);
  expect(m, "the console reports its resident memory").not.toBeNull();
  return Math.round(Number(m![1]) / 2 ** 20);
}

/**
 * Records, from the navigation's start, when the tree first shows `summary`
 * (the children page's "1–100 of N") and the animation frame after it, i.e.
 * the paint that shows it. Installed before any of the page's own scripts.
 */
async function recordFirstPage(page: Page, summary: string) {
  await page.addInitScript((s: string) => {
    const w = window as unknown as { __dom?: number; __frame?: number };
    const obs = new MutationObserver(() => {
      const tree = document.querySelector('[role="tree"]');
      if (w.__dom === undefined && tree?.textContent?.includes(s)) {
        w.__dom = performance.now();
        requestAnimationFrame(() => (w.__frame = performance.now()));
        obs.disconnect();
      }
    });
    obs.observe(document, { subtree: true, childList: true, characterData: true });
  }, summary);
}

/** A cold load of `url`: ms until the first page is in the DOM, painted, and the first contentful paint. */
async function coldLoad(page: Page, url: string) {
  await page.goto(url, { waitUntil: "commit" });
  await page.waitForFunction(() => (window as unknown as { __frame?: number }).__frame !== undefined, null, {
    timeout: 60_000,
  });
  return page.evaluate(() => {
    const w = window as unknown as { __dom: number; __frame: number };
    const fcp = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN;
    return { dom: w.__dom, frame: w.__frame, fcp };
  });
}

function rawList(path: string): number {
  const out = JSON.parse(zkBench("list", "--path", path));
  return out.ms as number;
}

test.describe("@bench ZooKeeper in the browser", () => {
  test.skip(!runs || !tool, "benchmark: run through scripts/bench");
  test.describe.configure({ timeout: 40 * 60_000 });

  test("@bench a znode with 300,000 children: first page painted, server memory", async ({ browser, page, request }) => {
    const path = `${BASE}/wide`;
    const url = `/zookeeper/local${path}`;
    const summary = "1–100 of 300000";
    console.log(`BENCH zk300k ${zkBench("seed", "--path", path, "--children", "300000").trim()}`);
    const before = await rssMiB(request);
    await recordFirstPage(page, summary);
    const raw: number[] = [];
    const loads: { dom: number; frame: number; fcp: number }[] = [];
    const firstVisits: number[] = [];
    // Alternating which goes first: the raw client's list_children, and the page loads —
    // a first visit (a fresh browser context: empty HTTP and code caches) and a returning
    // user's load (the same context every time).
    for (let i = 0; i < runs; i++) {
      if (i % 2 === 0) raw.push(rawList(path));
      const fresh = await browser.newContext({
        baseURL: test.info().project.use.baseURL,
        storageState: test.info().project.use.storageState,
      });
      const visit = await fresh.newPage();
      await recordFirstPage(visit, summary);
      firstVisits.push((await coldLoad(visit, url)).frame);
      await fresh.close();
      loads.push(await coldLoad(page, url));
      if (i % 2 === 1) raw.push(rawList(path));
    }
    console.log(
      `BENCH zk300k first_visit_painted_ms=${fmt(firstVisits)} first_visit_median_ms=${median(firstVisits).toFixed(1)}`,
    );
    await expect(page.getByRole("treeitem", { name: "c-0000099", exact: true })).toBeVisible();
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 30_000 });
    await expect(page.getByTestId("zk-live")).toHaveText("live");
    const open = await rssMiB(request);
    const frames = loads.map((l) => l.frame);
    console.log(`BENCH zk300k runs=${runs} raw_list_ms=${fmt(raw)} raw_median_ms=${median(raw).toFixed(1)}`);
    console.log(
      `BENCH zk300k page_dom_ms=${fmt(loads.map((l) => l.dom))} page_painted_ms=${fmt(frames)} ` +
        `painted_median_ms=${median(frames).toFixed(1)} fcp_median_ms=${median(loads.map((l) => l.fcp)).toFixed(1)} ` +
        `painted_over_raw=${(median(frames) / median(raw)).toFixed(2)}`,
    );
    console.log(`BENCH zk300k rss_before_mib=${before} rss_with_page_open_mib=${open}`);
  });

  test("@bench a znode with 1,000,000 children opens; memory stays bounded", async ({ page, request }) => {
    const path = `${BASE}/million`;
    console.log(`BENCH zk1m ${zkBench("seed", "--path", path, "--children", "1000000").trim()}`);
    await recordFirstPage(page, "1–100 of 1000000");
    const raw: number[] = [];
    const frames: number[] = [];
    const rss: number[] = [await rssMiB(request)];
    for (let i = 0; i < Math.min(runs, 5); i++) {
      raw.push(rawList(path));
      frames.push((await coldLoad(page, `/zookeeper/local${path}`)).frame);
      rss.push(await rssMiB(request));
    }
    // Paging on through the million, hydrated: each page is one server call.
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 30_000 });
    const pages: number[] = [];
    for (let p = 2; p <= 6; p++) {
      const t = Date.now();
      await page.getByRole("button", { name: "Next" }).click();
      await expect(page.getByText(`${(p - 1) * 100 + 1}–${p * 100} of 1000000`)).toBeVisible({ timeout: 30_000 });
      pages.push(Date.now() - t);
      rss.push(await rssMiB(request));
    }
    console.log(`BENCH zk1m raw_list_ms=${fmt(raw)} raw_median_ms=${median(raw).toFixed(1)}`);
    console.log(`BENCH zk1m first_page_painted_ms=${fmt(frames)} painted_median_ms=${median(frames).toFixed(1)}`);
    console.log(`BENCH zk1m next_page_ms=${pages.join(",")} next_median_ms=${median(pages)}`);
    console.log(`BENCH zk1m rss_mib_over_time=${rss.join(",")} max=${Math.max(...rss)}`);
    expect(Math.max(...rss), "memory stays bounded").toBeLessThan(1024);
  });

  for (const kind of ["data", "child"] as const) {
    test(`@bench another client's ${kind} change to the page`, async ({ page }) => {
      const path = `${BASE}/live-${kind}`;
      zkBench("remove", "--path", path);
      zkBench("seed", "--path", path, "--children", "0");
      await openHydrated(page, `/zookeeper/local${path}`);
      await expect(page.getByTestId("zk-live")).toHaveText("live");
      // Wall-clock time (ms) at which each "w-N" first showed on the page.
      await page.evaluate((kind) => {
        const w = window as unknown as { __seen: Record<string, number> };
        w.__seen = {};
        const now = () => performance.timeOrigin + performance.now();
        new MutationObserver(() => {
          const t = now();
          if (kind === "data") {
            const text = document.querySelector('[data-testid="znode-data"]')?.textContent ?? "";
            if (text.startsWith("w-") && !(text in w.__seen)) w.__seen[text] = t;
          } else {
            for (const li of document.querySelectorAll('[role="treeitem"][aria-label^="w-"]')) {
              const name = li.getAttribute("aria-label")!;
              if (!(name in w.__seen)) w.__seen[name] = t;
            }
          }
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      }, kind);
      const count = kind === "data" ? runs * 30 : Math.min(runs * 15, 100);
      const writes = zkBench("writes", "--path", path, "--count", String(count), "--interval-ms", "100", "--kind", kind)
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { name: string; sent: number; acked: number });
      await page.waitForTimeout(2_000);
      const seen = await page.evaluate(() => (window as unknown as { __seen: Record<string, number> }).__seen);
      const fromAck = writes.filter((w) => w.name in seen).map((w) => seen[w.name] - w.acked);
      const fromSend = writes.filter((w) => w.name in seen).map((w) => seen[w.name] - w.sent);
      console.log(
        `BENCH zklive kind=${kind} changes=${writes.length} shown=${fromAck.length} ` +
          `ack_to_page_p50_ms=${quantile(fromAck, 0.5).toFixed(1)} p99_ms=${quantile(fromAck, 0.99).toFixed(1)} max_ms=${Math.max(...fromAck).toFixed(1)} ` +
          `send_to_page_p50_ms=${quantile(fromSend, 0.5).toFixed(1)} p99_ms=${quantile(fromSend, 0.99).toFixed(1)}`,
      );
      expect(fromAck.length, "every change reaches the page").toBe(writes.length);
      zkBench("remove", "--path", path);
    });
  }
});
