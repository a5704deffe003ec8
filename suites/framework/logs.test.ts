import { expect } from "chai";
import { forbidden } from "../../runner/testdata/fake-api-server.ts";
import { translateError } from "./api-errors.ts";
import { containerLogs } from "./logs.ts";
import { harness } from "./testdata/harness.ts";

describe("framework: container logs (fake API server)", () => {
  it("reads one container's log, bounded in bytes, previous instance on request", async () => {
    const h = await harness({
      routes: [
        (_req, res, url) => {
          if (url.pathname === "/api/v1/namespaces/ns/pods/denied/log")
            return forbidden(res, "get", "pods/log", "ns");
          if (url.pathname !== "/api/v1/namespaces/ns/pods/p/log") return false;
          res.writeHead(200, { "content-type": "text/plain" });
          res.end(
            `log of ${url.searchParams.get("container")} previous=${url.searchParams.get("previous")}\n`,
          );
          return true;
        },
      ],
    });
    try {
      expect(await containerLogs(h.ctx, "ns", "p", "writer", { previous: true, tailLines: 5 })).to.equal(
        "log of writer previous=true\n",
      );
      const req = h.api.requests.find((r) => r.includes("/pods/p/log")) ?? "";
      const query = new URL(req.split(" ")[1] ?? "", "http://x").searchParams;
      expect(query.get("limitBytes")).to.equal(String(256 * 1024));
      expect(query.get("tailLines")).to.equal("5");
      const err = await containerLogs(h.ctx, "ns", "denied").catch((e: unknown) => e);
      expect(translateError(err).reason).to.match(/^forbidden: cannot get pods\/log/);
    } finally {
      await h.close();
    }
  });
});
