import { expect } from "chai";
import { parseMemberTable } from "./etcd-members.ts";

describe("lab etcd members", () => {
  it("reads etcdctl's member table, including an added member that has not started (no name yet)", () => {
    const table = [
      "8e9e05c52164694d, started, cp-a, https://198.18.0.11:2380, https://198.18.0.11:2379, false",
      "a1b2c3d4e5f60718, unstarted, , https://198.18.0.12:2380, , false",
      "",
    ].join("\n");
    expect(parseMemberTable(table)).to.deep.equal([
      { id: "8e9e05c52164694d", name: "cp-a", peerURLs: ["https://198.18.0.11:2380"] },
      { id: "a1b2c3d4e5f60718", name: "", peerURLs: ["https://198.18.0.12:2380"] },
    ]);
  });

  it("keeps member IDs as hex strings (uint64 IDs do not fit a JavaScript number)", () => {
    const [member] = parseMemberTable("ffffffffffffffff, started, cp-c, https://198.18.0.13:2380, x, false");
    expect(member?.id).to.equal("ffffffffffffffff");
  });
});
