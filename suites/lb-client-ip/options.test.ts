import { expect } from "chai";
import { CheckAborted } from "../framework/errors.ts";
import { inCluster, lbClientIpCheck } from "./check.ts";
import { readOptions } from "./options.ts";

describe("lb-client-ip options (SCS issues #227/#250/#251)", () => {
  it("reads variants from lb-variant, lb-variant-* and SCS_KAAS_LB_VARIANT; proxy* variants need PROXY", () => {
    const o = readOptions(
      {
        "lb-variant": "proxy:loadbalancer.openstack.org/proxy-protocol=v2",
        "lb-variant-xff": "xff:loadbalancer.openstack.org/x-forwarded-for=true",
      },
      { SCS_KAAS_LB_VARIANT: "proxy1:a.example/b=true,c=d" },
    );
    expect(o.variants).to.deep.equal([
      { name: "proxy", annotations: { "loadbalancer.openstack.org/proxy-protocol": "v2" }, proxy: true },
      { name: "xff", annotations: { "loadbalancer.openstack.org/x-forwarded-for": "true" }, proxy: false },
      { name: "proxy1", annotations: { "a.example/b": "true", c: "d" }, proxy: true },
    ]);
    expect(o.connections).to.equal(30);
  });

  it("takes the outside prober from options or the environment", () => {
    const env = { SCS_KAAS_LB_PROBER_URL: "http://198.19.0.2:8199/", SCS_KAAS_LB_PROBER_TOKEN: "t" };
    expect(readOptions({}, env).prober).to.deep.equal({ url: "http://198.19.0.2:8199/", token: "t" });
    expect(readOptions({ "lb-prober-url": "http://x:1/", "lb-prober-token": "u" }, {}).prober?.url).to.equal(
      "http://x:1/",
    );
  });

  it("takes the prober's token as a Secret reference, so that it stays out of the plugin's config-map", () => {
    const o = readOptions(
      { "lb-prober-url": "http://x:1/", "lb-prober-token-secret": "kube-system/prober" },
      {},
    );
    expect(o.prober).to.deep.equal({
      url: "http://x:1/",
      tokenSecret: { namespace: "kube-system", name: "prober", key: "token" },
    });
    const bad = (o: Record<string, string>) => () => readOptions(o, {});
    expect(bad({ "lb-prober-url": "http://x/", "lb-prober-token-secret": "prober" })).to.throw(
      CheckAborted,
      /lb-prober-token-secret must be <namespace>\/<name>\[\/key\], got "prober"/,
    );
    expect(
      bad({ "lb-prober-url": "http://x/", "lb-prober-token-secret": "a/b", "lb-prober-token": "t" }),
    ).to.throw(CheckAborted, /not both/);
  });

  it("aborts on bad input, naming the option", () => {
    const bad = (o: Record<string, string>) => () => readOptions(o, {});
    expect(bad({ "lb-variant": "no-colon" })).to.throw(
      CheckAborted,
      /lb-variant=no-colon: expected NAME:KEY=VALUE/,
    );
    expect(bad({ "lb-variant": "a:k=v;a:k=w" })).to.throw(CheckAborted, /variant name a is used twice/);
    expect(bad({ "lb-prober-url": "http://x/" })).to.throw(
      CheckAborted,
      /neither lb-prober-token nor lb-prober-token-secret is/,
    );
    expect(bad({ "lb-client-address": "nat-box" })).to.throw(CheckAborted, /not an IP address/);
    expect(bad({ "lb-connections": "1000" })).to.throw(CheckAborted, /lb-connections=1000/);
  });

  it("in the cluster without an outside prober the check skips, saying why", async () => {
    const saved = process.env.KUBERNETES_SERVICE_HOST;
    process.env.KUBERNETES_SERVICE_HOST = "198.18.128.1";
    try {
      expect(inCluster()).to.equal(true);
      const pre = lbClientIpCheck.preconditions?.[0];
      const why = await pre?.({ options: {} } as never);
      expect(why).to.match(/no outside vantage point.*probe-server/);
      expect(
        await pre?.({ options: { "lb-prober-url": "http://x:1/", "lb-prober-token": "t" } } as never),
      ).to.equal(undefined);
    } finally {
      if (saved === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
      else process.env.KUBERNETES_SERVICE_HOST = saved;
    }
  });
});
