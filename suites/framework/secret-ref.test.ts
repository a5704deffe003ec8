import { expect } from "chai";
import { forbidden } from "../../runner/testdata/fake-api-server.ts";
import { translateError } from "./api-errors.ts";
import { CheckAborted } from "./errors.ts";
import { parseSecretRef, readSecretValue } from "./secret-ref.ts";
import { harness } from "./testdata/harness.ts";

const secret = (data: Record<string, string>) => ({
  metadata: { name: "prober", namespace: "ops" },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")])),
});

describe("framework: a token passed as a Secret reference (scs-0211-v1 node actions, lb-client-ip prober)", () => {
  it("reads <namespace>/<name>[/key], the key defaulting to token, and nothing else", () => {
    expect(parseSecretRef("ops/prober")).to.deep.equal({ namespace: "ops", name: "prober", key: "token" });
    expect(parseSecretRef(" ops/prober/bearer ")).to.deep.equal({
      namespace: "ops",
      name: "prober",
      key: "bearer",
    });
    for (const bad of ["prober", "ops/", "/prober", "ops/prober/", "a/b/c/d", ""])
      expect(parseSecretRef(bad), bad).to.equal(undefined);
  });

  it("gives the trimmed value under the key", async () => {
    const h = await harness();
    try {
      h.store.put("/api/v1/namespaces/ops/secrets", secret({ token: " s3cret\n", other: "x" }));
      expect(
        await readSecretValue(h.ctx, { namespace: "ops", name: "prober", key: "token" }, "opt"),
      ).to.equal("s3cret");
      expect(
        await readSecretValue(h.ctx, { namespace: "ops", name: "prober", key: "other" }, "opt"),
      ).to.equal("x");
    } finally {
      await h.close();
    }
  });

  it("aborts naming the option when the key is missing or empty", async () => {
    const h = await harness();
    try {
      h.store.put("/api/v1/namespaces/ops/secrets", secret({ token: "  " }));
      const empty = await readSecretValue(
        h.ctx,
        { namespace: "ops", name: "prober", key: "token" },
        "x-token-secret",
      ).catch((e: unknown) => e);
      expect(empty).to.be.instanceOf(CheckAborted);
      expect((empty as Error).message).to.equal("Secret ops/prober key token is empty (x-token-secret)");
      const missing = await readSecretValue(
        h.ctx,
        { namespace: "ops", name: "prober", key: "bearer" },
        "x-token-secret",
      ).catch((e: unknown) => e);
      expect((missing as Error).message).to.equal("Secret ops/prober has no key bearer (x-token-secret)");
    } finally {
      await h.close();
    }
  });

  it("lets a 403 through, so that the abort names get secrets in that namespace", async () => {
    const h = await harness({
      routes: [
        (_req, res, url) => url.pathname.includes("/secrets/") && forbidden(res, "get", "secrets", "ops"),
      ],
    });
    try {
      const err = await readSecretValue(
        h.ctx,
        { namespace: "ops", name: "prober", key: "token" },
        "opt",
      ).catch((e: unknown) => e);
      expect(translateError(err).reason).to.match(/^forbidden: cannot get secrets/);
    } finally {
      await h.close();
    }
  });
});
