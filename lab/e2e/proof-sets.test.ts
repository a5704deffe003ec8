import { expect } from "chai";
import { focusFor, PROOF_SETS, selectionOf } from "./proof-sets.ts";

const UDP_SPEC =
  "[sig-network] Netpol [LinuxOnly] NetworkPolicy between server and client using UDP should support a 'default-deny-ingress' policy [Feature:NetworkPolicy]";
const SCTP_SPEC =
  "[sig-network] Netpol [Feature:SCTPConnectivity] [LinuxOnly] NetworkPolicy between server and client using SCTP should support a 'default-deny-ingress' policy [Feature:NetworkPolicy]";

describe("lab e2e proof sets", () => {
  it("focus matches each named spec with its labels, and not its protocol variants", () => {
    const one = PROOF_SETS["netpol-default-deny"]?.tests ?? [];
    const re = new RegExp(focusFor(one));
    expect(re.test(`${one[0]} [Feature:NetworkPolicy]`)).to.equal(true);
    expect(re.test(UDP_SPEC)).to.equal(false);
  });

  it("escapes regex metacharacters in spec texts", () => {
    const re = new RegExp(focusFor(["a [B] (x)"]));
    expect(re.test("a [B] (x) [Conformance]")).to.equal(true);
    expect(re.test("a B x")).to.equal(false);
  });

  it("the netpol set selects every NetworkPolicy spec but SCTP and disruptive ones, and says how many", () => {
    const netpol = PROOF_SETS.netpol;
    if (!netpol) throw new Error("no netpol set");
    const s = selectionOf(netpol);
    expect(s.specs).to.equal(45);
    const focus = new RegExp(s.focus);
    const skip = new RegExp(s.skip);
    expect(focus.test(UDP_SPEC) && !skip.test(UDP_SPEC)).to.equal(true);
    expect(focus.test(SCTP_SPEC) && skip.test(SCTP_SPEC)).to.equal(true);
    expect(skip.test("x [Serial]")).to.equal(true);
  });

  it("every set either names its specs or counts what its focus selects", () => {
    for (const [name, set] of Object.entries(PROOF_SETS))
      expect(selectionOf(set).specs, name).to.be.greaterThan(0);
    expect(() => selectionOf({ description: "x", focus: "y" })).to.throw(/needs tests, or focus and specs/);
  });
});
