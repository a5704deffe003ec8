// Renders the HTML report in headless Chromium (Debian package `chromium`) and checks what a reader
// sees. Slower than the rest (a browser start); the file name lets the lead tag or exclude it.

import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { expect } from "chai";
import { type BrowserContext, chromium } from "playwright-core";
import { makeReport, render } from "../index.ts";
import { tarGzBuffer, writeTemp } from "../test-support/build-tarball.ts";
import { fixtureEntries } from "../test-support/fixtures.ts";

const CHROMIUM = process.env.SCS_KAAS_CHROMIUM ?? "/usr/bin/chromium";

describe("html report in headless Chromium", function () {
  this.timeout(90_000);
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  const offsite: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      if (process.env.CI)
        throw new Error(`${CHROMIUM} missing: .ci/install-system-packages must install Debian's chromium`);
      this.skip();
    }
    profile = await mkdtemp(join(tmpdir(), "scs-kaas-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (!url.startsWith("file:")) offsite.push(url);
      return url.startsWith("file:") ? route.continue() : route.abort();
    });
  });

  after(async () => {
    await context?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it("shows the verdict table, a failure message and an excused failure's reason, loading nothing from outside", async () => {
    const file = await writeTemp(
      "html.tar.gz",
      await tarGzBuffer(
        fixtureEntries({
          networkingFailures: [
            {
              name: "[sig-network] Netpol NetworkPolicy between server and client should deny egress [Feature:NetworkPolicy]",
              status: "failed",
              message: "expected x/a -> y/b to be blocked, got <connected>",
            },
          ],
        }),
      ),
    );
    const html = await render(await makeReport(file, { subject: "browser-test" }), "html");
    const page = join(profile as string, "report.html");
    await writeFile(page, html);
    const tab = await (context as BrowserContext).newPage();
    await tab.goto(pathToFileURL(page).href);

    expect(await tab.title()).to.equal("SCS-compatible KaaS v1: FAIL");
    // node-distribution-check is in the scope file but in no module v1 includes: no row.
    const rows = await tab.locator("#verdicts tbody tr").allInnerTexts();
    const cells = rows.map((r) => r.split("\t").map((c) => c.trim()));
    expect(cells.map((c) => [c[1], c[3]])).to.deep.equal([
      ["cncf-k8s-conformance", "PASS"],
      ["version-policy-check", "PASS"],
      ["kaas-networking-check", "FAIL"],
    ]);
    const message = tab.locator(".failure-message").first();
    expect(await message.isVisible()).to.equal(true);
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a reader sees
    expect(await message.innerText()).to.include("expected x/a -> y/b to be blocked, got <connected>");
    const excused = tab.locator("#excused + table");
    expect(await excused.isVisible()).to.equal(true);
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a reader sees
    expect(await excused.innerText()).to.include("Fails when a cluster has no InternalIP");
    const failBadge = tab.locator("#verdicts .v-FAIL").first();
    // evaluate runs in the page, where getComputedStyle is a global (the test's tsconfig has no DOM lib)
    const color = await failBadge.evaluate(
      (el) =>
        (
          globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }
        ).getComputedStyle(el).backgroundColor,
    );
    expect(color).to.equal("rgb(251, 214, 214)"); // the inline stylesheet applied
    if (process.env.SCS_KAAS_SCREENSHOT)
      await tab.screenshot({ path: process.env.SCS_KAAS_SCREENSHOT, fullPage: true });
    expect(offsite).to.deep.equal([]);
  });
});
