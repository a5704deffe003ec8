import { expect } from "chai";
import { focusFor, PROOF_SETS } from "./proof-sets.ts";

describe("lab e2e proof sets", () => {
  it("focus matches each named spec with its labels, and not its protocol variants", () => {
    const netpol = PROOF_SETS.netpol?.tests ?? [];
    const re = new RegExp(focusFor(netpol));
    expect(re.test(`${netpol[0]} [Feature:NetworkPolicy]`)).to.equal(true);
    expect(
      re.test(
        "[sig-network] Netpol [LinuxOnly] NetworkPolicy between server and client using UDP should support a 'default-deny-ingress' policy [Feature:NetworkPolicy]",
      ),
    ).to.equal(false);
  });

  it("escapes regex metacharacters in spec texts", () => {
    const re = new RegExp(focusFor(["a [B] (x)"]));
    expect(re.test("a [B] (x) [Conformance]")).to.equal(true);
    expect(re.test("a B x")).to.equal(false);
  });
});
